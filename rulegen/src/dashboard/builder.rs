//! Builders for the four panel kinds meshward draws, with the defaults its dashboards share:
//! the `datasource` variable, code-mode Prometheus targets with refIds `A`, `B`, ..., and
//! thresholds coloured from the spec's objectives.

use super::invariants::SCHEMA_VERSION;
use super::model::{
    Annotation, Annotations, CellOptions, Current, Dashboard, DataLink, DataSourceRef, FieldColor,
    FieldConfig, FieldCustom, FieldDefaults, FieldOverride, GaugeOptions, GridPos, Legend, Link,
    Panel, PanelKind, PanelOptions, PrometheusVariableQuery, ReduceOptions, SortBy, Stacking,
    StatOptions, TableCustom, TableOptions, Target, Templating, Thresholds, ThresholdsStyle,
    TimeRange, TimeseriesCustom, TimeseriesOptions, Tooltip, Transformation, Variable,
    VariableKind, VariableQuery, DATASOURCE_VAR, PROMETHEUS,
};

/// A panel under construction.
#[derive(Clone, Debug)]
pub struct PanelBuilder {
    panel: Panel,
}

impl PanelBuilder {
    fn new(kind: PanelKind, title: &str, description: &str, options: PanelOptions) -> Self {
        let custom = match kind {
            PanelKind::Timeseries => Some(FieldCustom::Timeseries(TimeseriesCustom {
                draw_style: "line".to_owned(),
                fill_opacity: 10,
                line_width: 1,
                show_points: "never".to_owned(),
                stacking: Stacking {
                    group: "A".to_owned(),
                    mode: "none".to_owned(),
                },
                thresholds_style: ThresholdsStyle {
                    mode: "off".to_owned(),
                },
            })),
            PanelKind::Table => Some(FieldCustom::Table(TableCustom {
                align: "auto".to_owned(),
                cell_options: CellOptions {
                    kind: "auto".to_owned(),
                },
                filterable: false,
            })),
            _ => None,
        };
        let color = match kind {
            PanelKind::Timeseries => "palette-classic",
            _ => "thresholds",
        };
        PanelBuilder {
            panel: Panel {
                collapsed: None,
                datasource: Some(DataSourceRef::prometheus()),
                description: Some(description.to_owned()),
                field_config: Some(FieldConfig {
                    defaults: FieldDefaults {
                        color: FieldColor {
                            mode: color.to_owned(),
                        },
                        custom,
                        decimals: None,
                        links: Vec::new(),
                        max: None,
                        min: None,
                        no_value: None,
                        thresholds: Thresholds::absolute("green", &[]),
                        unit: "short".to_owned(),
                    },
                    overrides: Vec::new(),
                }),
                grid_pos: GridPos::default(),
                id: 0,
                links: Vec::new(),
                options: Some(options),
                panels: None,
                targets: Vec::new(),
                title: title.to_owned(),
                transformations: Vec::new(),
                kind,
            },
        }
    }

    /// A graph over time with a legend table of last and max values.
    pub fn timeseries(title: &str, description: &str) -> Self {
        let options = PanelOptions::Timeseries(TimeseriesOptions {
            legend: Legend {
                calcs: vec!["lastNotNull".to_owned(), "max".to_owned()],
                display_mode: "table".to_owned(),
                placement: "bottom".to_owned(),
                show_legend: true,
            },
            tooltip: Tooltip {
                mode: "multi".to_owned(),
                sort: "desc".to_owned(),
            },
        });
        Self::new(PanelKind::Timeseries, title, description, options)
    }

    /// One number, coloured by its thresholds.
    pub fn stat(title: &str, description: &str) -> Self {
        let options = PanelOptions::Stat(StatOptions {
            color_mode: "background".to_owned(),
            graph_mode: "area".to_owned(),
            justify_mode: "auto".to_owned(),
            orientation: "auto".to_owned(),
            reduce_options: ReduceOptions::last_not_null(),
            text_mode: "auto".to_owned(),
        });
        Self::new(PanelKind::Stat, title, description, options)
    }

    /// A dial with the thresholds drawn as a band.
    pub fn gauge(title: &str, description: &str) -> Self {
        let options = PanelOptions::Gauge(GaugeOptions {
            orientation: "auto".to_owned(),
            reduce_options: ReduceOptions::last_not_null(),
            show_threshold_labels: false,
            show_threshold_markers: true,
        });
        Self::new(PanelKind::Gauge, title, description, options)
    }

    /// A table of instant values, sorted by `sort_column` (ascending unless `desc`).
    pub fn table(title: &str, description: &str, sort_column: &str, desc: bool) -> Self {
        let options = PanelOptions::Table(TableOptions {
            frame_index: 0,
            show_header: true,
            sort_by: vec![SortBy {
                desc,
                display_name: sort_column.to_owned(),
            }],
        });
        Self::new(PanelKind::Table, title, description, options)
    }

    fn defaults(&mut self) -> &mut FieldDefaults {
        &mut self
            .panel
            .field_config
            .as_mut()
            .expect("builders always create a fieldConfig")
            .defaults
    }

    /// Adds a query; refIds follow the order of the calls (`A`, `B`, ...).
    pub fn query(mut self, expr: &str, legend: &str) -> Self {
        let table = self.panel.kind == PanelKind::Table;
        let index = self.panel.targets.len();
        self.panel.targets.push(Target {
            datasource: DataSourceRef::prometheus(),
            editor_mode: "code".to_owned(),
            expr: expr.to_owned(),
            format: if table { "table" } else { "time_series" }.to_owned(),
            instant: table,
            legend_format: legend.to_owned(),
            range: !table,
            ref_id: ref_id(index),
        });
        self
    }

    /// Sets the unit id (one of [`super::units::ALLOWED_UNITS`]).
    pub fn unit(mut self, unit: &str) -> Self {
        self.defaults().unit = unit.to_owned();
        self
    }

    /// Sets the threshold steps.
    pub fn thresholds(mut self, thresholds: Thresholds) -> Self {
        self.defaults().thresholds = thresholds;
        self
    }

    /// Draws the thresholds on a time series as dashed lines and a faint area.
    pub fn show_thresholds(mut self) -> Self {
        if let Some(FieldCustom::Timeseries(custom)) = &mut self.defaults().custom {
            custom.thresholds_style.mode = "dashed+area".to_owned();
        }
        self
    }

    /// Fixes the axis or dial range.
    pub fn range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.defaults().min = min;
        self.defaults().max = max;
        self
    }

    /// Sets the decimals shown.
    pub fn decimals(mut self, decimals: u8) -> Self {
        self.defaults().decimals = Some(decimals);
        self
    }

    /// Text shown when the query returns nothing (for example "no plaintext requests").
    pub fn no_value(mut self, text: &str) -> Self {
        self.defaults().no_value = Some(text.to_owned());
        self
    }

    /// Adds a link to the panel header.
    pub fn link(mut self, link: Link) -> Self {
        self.panel.links.push(link);
        self
    }

    /// Adds a data link on values.
    pub fn data_link(mut self, title: &str, url: &str) -> Self {
        self.defaults().links.push(DataLink {
            target_blank: true,
            title: title.to_owned(),
            url: url.to_owned(),
        });
        self
    }

    /// Adds a per-field override.
    pub fn override_field(mut self, field_override: FieldOverride) -> Self {
        self.panel
            .field_config
            .as_mut()
            .expect("builders always create a fieldConfig")
            .overrides
            .push(field_override);
        self
    }

    /// Adds a transformation.
    pub fn transform(mut self, id: &str, options: serde_json::Value) -> Self {
        self.panel.transformations.push(Transformation {
            id: id.to_owned(),
            options,
        });
        self
    }

    /// The panel, not yet placed on the grid.
    pub fn build(self) -> Panel {
        self.panel
    }
}

/// `A`..`Z`, then `AA`, `AB`, ..., `ZZ`, `AAA`, ...: spreadsheet column names, unique for
/// every index.
pub fn ref_id(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    letters.iter().rev().collect()
}

/// The `datasource` picker listing Prometheus datasources; Grafana preselects the default.
pub fn datasource_variable() -> Variable {
    Variable {
        all_value: None,
        current: Current::default(),
        datasource: None,
        definition: None,
        description: Some("The Prometheus that evaluates meshward's rules.".to_owned()),
        hide: 0,
        include_all: false,
        label: "Data source".to_owned(),
        multi: false,
        name: DATASOURCE_VAR.to_owned(),
        options: Vec::new(),
        query: VariableQuery::Plugin(PROMETHEUS.to_owned()),
        refresh: 1,
        regex: String::new(),
        sort: None,
        kind: VariableKind::Datasource,
    }
}

/// A multi-value variable over the values of `label` on the series `selector` selects, with
/// "All" matching every value, including series without the label.
pub fn label_variable(name: &str, label: &str, selector: &str, description: &str) -> Variable {
    let query = format!("label_values({selector}, {name})");
    Variable {
        all_value: Some(".*".to_owned()),
        current: Current::default(),
        datasource: Some(DataSourceRef::prometheus()),
        definition: Some(query.clone()),
        description: Some(description.to_owned()),
        hide: 0,
        include_all: true,
        label: label.to_owned(),
        multi: true,
        name: name.to_owned(),
        options: Vec::new(),
        query: VariableQuery::Prometheus(PrometheusVariableQuery {
            query,
            ref_id: "PrometheusVariableQueryEditor-VariableQuery".to_owned(),
        }),
        refresh: 2,
        regex: String::new(),
        sort: Some(1),
        kind: VariableKind::Query,
    }
}

/// What identifies and describes a dashboard.
#[derive(Clone, Debug)]
pub struct DashboardMeta<'a> {
    /// Stable uid.
    pub uid: &'a str,
    /// Title.
    pub title: &'a str,
    /// One or two sentences.
    pub description: &'a str,
    /// Search tags.
    pub tags: &'a [&'a str],
}

/// A read-only dashboard over the last 6 hours, refreshed every 30 s, with a shared
/// crosshair.
pub fn dashboard(
    meta: &DashboardMeta<'_>,
    variables: Vec<Variable>,
    links: Vec<Link>,
    panels: Vec<Panel>,
) -> Dashboard {
    Dashboard {
        annotations: Annotations {
            list: vec![Annotation::built_in()],
        },
        description: meta.description.to_owned(),
        editable: false,
        graph_tooltip: 1,
        links,
        panels,
        refresh: "30s".to_owned(),
        schema_version: SCHEMA_VERSION,
        tags: meta.tags.iter().map(|t| (*t).to_owned()).collect(),
        templating: Templating { list: variables },
        time: TimeRange {
            from: "now-6h".to_owned(),
            to: "now".to_owned(),
        },
        timezone: "browser".to_owned(),
        title: meta.title.to_owned(),
        uid: meta.uid.to_owned(),
        version: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::ref_id;

    #[test]
    fn ref_ids_are_unique_column_names() {
        assert_eq!(ref_id(0), "A");
        assert_eq!(ref_id(25), "Z");
        assert_eq!(ref_id(26), "AA");
        assert_eq!(ref_id(701), "ZZ");
        assert_eq!(ref_id(702), "AAA");
        let all: std::collections::BTreeSet<String> = (0..2000).map(ref_id).collect();
        assert_eq!(all.len(), 2000);
    }
}

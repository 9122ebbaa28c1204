//! Typed model of a classic (v1) Grafana dashboard: the subset meshward emits.
//!
//! Fields are declared in alphabetical order so that serialisation produces a fixed, sorted
//! key order; maps are `BTreeMap`s for the same reason. Every struct refuses unknown keys on
//! the way back in, so a dashboard read from disk round-trips only if it is one of ours.

use serde::{Deserialize, Serialize};

/// The datasource plugin id every panel and target uses.
pub const PROMETHEUS: &str = "prometheus";
/// The name of the datasource template variable.
pub const DATASOURCE_VAR: &str = "datasource";
/// The uid every panel and target points at: the datasource variable, so that import, file
/// provisioning and the Kubernetes sidecar all resolve it without `__inputs`.
pub const DATASOURCE_UID: &str = "${datasource}";

/// A whole dashboard, as Grafana imports and provisions it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dashboard {
    /// The built-in "Annotations & Alerts" query.
    pub annotations: Annotations,
    /// What the dashboard shows, in one or two sentences.
    pub description: String,
    /// Whether users may edit it in the UI; generated dashboards are read-only.
    pub editable: bool,
    /// 0 default, 1 shared crosshair, 2 shared tooltip.
    pub graph_tooltip: u8,
    /// Links in the dashboard header: runbooks, alert rules, sibling dashboards.
    pub links: Vec<Link>,
    /// Panels, in grid order.
    pub panels: Vec<Panel>,
    /// Auto-refresh interval, `30s`.
    pub refresh: String,
    /// The dashboard JSON model version Grafana migrates from.
    pub schema_version: u32,
    /// Tags for search and for dashboard links by tag.
    pub tags: Vec<String>,
    /// Template variables.
    pub templating: Templating,
    /// The default time range.
    pub time: TimeRange,
    /// `browser`, `utc` or an IANA zone.
    pub timezone: String,
    /// The title.
    pub title: String,
    /// Stable identifier: `[a-z0-9-]`, at most 40 characters, starting with a letter.
    pub uid: String,
    /// Version of the JSON; always 1 for generated dashboards.
    pub version: u32,
}

/// The dashboard's annotation queries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotations {
    /// The queries.
    pub list: Vec<Annotation>,
}

/// One annotation query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Annotation {
    /// 1 for Grafana's built-in query.
    pub built_in: u8,
    /// The Grafana datasource.
    pub datasource: DataSourceRef,
    /// Whether it is on.
    pub enable: bool,
    /// Whether its toggle is hidden.
    pub hide: bool,
    /// Marker colour.
    pub icon_color: String,
    /// Display name.
    pub name: String,
    /// `dashboard` for the built-in query.
    #[serde(rename = "type")]
    pub kind: String,
}

impl Annotation {
    /// Grafana's built-in "Annotations & Alerts" query, which every dashboard has.
    pub fn built_in() -> Annotation {
        Annotation {
            built_in: 1,
            datasource: DataSourceRef {
                kind: "grafana".to_owned(),
                uid: "-- Grafana --".to_owned(),
            },
            enable: true,
            hide: true,
            icon_color: "rgba(0, 211, 255, 1)".to_owned(),
            name: "Annotations & Alerts".to_owned(),
            kind: "dashboard".to_owned(),
        }
    }
}

/// A reference to a datasource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSourceRef {
    /// The plugin id.
    #[serde(rename = "type")]
    pub kind: String,
    /// The instance uid, or a variable reference.
    pub uid: String,
}

impl DataSourceRef {
    /// The Prometheus datasource chosen by the `datasource` variable.
    pub fn prometheus() -> DataSourceRef {
        DataSourceRef {
            kind: PROMETHEUS.to_owned(),
            uid: DATASOURCE_UID.to_owned(),
        }
    }
}

/// A link in the dashboard header or a panel header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Link {
    /// Show dashboards found by tag as a dropdown.
    pub as_dropdown: bool,
    /// `external link`, `doc`, `dashboard`, ...
    pub icon: String,
    /// Carry the current variable values into the URL.
    pub include_vars: bool,
    /// Carry the current time range into the URL.
    pub keep_time: bool,
    /// Tags, for `dashboards` links.
    pub tags: Vec<String>,
    /// Open in a new tab.
    pub target_blank: bool,
    /// The text shown.
    pub title: String,
    /// Hover text.
    pub tooltip: String,
    /// `link` or `dashboards`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where it goes.
    pub url: String,
}

impl Link {
    /// A plain link to `url`, opening in a new tab.
    pub fn external(title: &str, url: &str, tooltip: &str, icon: &str) -> Link {
        Link {
            as_dropdown: false,
            icon: icon.to_owned(),
            include_vars: false,
            keep_time: false,
            tags: Vec::new(),
            target_blank: true,
            title: title.to_owned(),
            tooltip: tooltip.to_owned(),
            kind: "link".to_owned(),
            url: url.to_owned(),
        }
    }

    /// A link to another dashboard by uid that keeps the time range and variables.
    pub fn dashboard(title: &str, uid: &str, tooltip: &str) -> Link {
        Link {
            as_dropdown: false,
            icon: "dashboard".to_owned(),
            include_vars: true,
            keep_time: true,
            tags: Vec::new(),
            target_blank: false,
            title: title.to_owned(),
            tooltip: tooltip.to_owned(),
            kind: "link".to_owned(),
            url: format!("/d/{uid}"),
        }
    }
}

/// Template variables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Templating {
    /// The variables, in the order the header shows them.
    pub list: Vec<Variable>,
}

/// A template variable: the datasource picker or a label-values query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Variable {
    /// The value "All" stands for; a regex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_value: Option<String>,
    /// The selection; empty so Grafana picks the default or the first value.
    pub current: Current,
    /// The datasource of a query variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasource: Option<DataSourceRef>,
    /// The query text Grafana shows for a query variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Hover text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 0 shown, 1 label hidden, 2 hidden.
    pub hide: u8,
    /// Offer "All".
    pub include_all: bool,
    /// Display label.
    pub label: String,
    /// Allow several values.
    pub multi: bool,
    /// Name, referenced as `$name`.
    pub name: String,
    /// Options; computed by Grafana.
    pub options: Vec<serde_json::Value>,
    /// The plugin id (datasource) or the label-values query.
    pub query: VariableQuery,
    /// 1 on load, 2 on time-range change.
    pub refresh: u8,
    /// Filter regex over the values.
    pub regex: String,
    /// 1 alphabetical ascending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<u8>,
    /// `datasource` or `query`.
    #[serde(rename = "type")]
    pub kind: VariableKind,
}

/// A variable's selected value; generated dashboards leave it empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Current {}

/// What a variable offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableKind {
    /// A datasource picker.
    Datasource,
    /// Values from a datasource query.
    Query,
}

/// A variable's query: a plugin id for datasource variables, a Prometheus query otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VariableQuery {
    /// The plugin id a datasource variable lists.
    Plugin(String),
    /// A Prometheus variable query.
    Prometheus(PrometheusVariableQuery),
}

/// The query of a Prometheus query variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrometheusVariableQuery {
    /// `label_values(metric{...}, label)`.
    pub query: String,
    /// The id the Prometheus variable editor uses.
    pub ref_id: String,
}

/// The default time range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    /// Start, `now-6h`.
    pub from: String,
    /// End, `now`.
    pub to: String,
}

/// A panel or a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Panel {
    /// Rows only: whether the row is folded (then its panels live in `panels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collapsed: Option<bool>,
    /// The datasource of every target; absent on rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasource: Option<DataSourceRef>,
    /// What the panel shows and how to read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Units, thresholds, colours and per-field overrides; absent on rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_config: Option<FieldConfig>,
    /// Where the panel sits on the 24-column grid.
    pub grid_pos: GridPos,
    /// Unique within the dashboard.
    pub id: u32,
    /// Links in the panel header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Plugin options; absent on rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<PanelOptions>,
    /// Rows only: the folded panels (empty for an expanded row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panels: Option<Vec<Panel>>,
    /// The queries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// The title.
    pub title: String,
    /// Transformations applied to the query results, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transformations: Vec<Transformation>,
    /// The visualisation.
    #[serde(rename = "type")]
    pub kind: PanelKind,
}

/// The visualisations meshward uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PanelKind {
    /// A graph over time.
    Timeseries,
    /// One big number.
    Stat,
    /// A dial against thresholds.
    Gauge,
    /// A table of instant values.
    Table,
    /// A row header.
    Row,
}

impl PanelKind {
    /// The plugin id.
    pub const fn as_str(self) -> &'static str {
        match self {
            PanelKind::Timeseries => "timeseries",
            PanelKind::Stat => "stat",
            PanelKind::Gauge => "gauge",
            PanelKind::Table => "table",
            PanelKind::Row => "row",
        }
    }
}

/// A position on the grid: 24 columns wide, `h` in rows of 30 px.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridPos {
    /// Height in grid rows.
    pub h: u32,
    /// Width in columns (1..=24).
    pub w: u32,
    /// Left column (0..24).
    pub x: u32,
    /// Top row.
    pub y: u32,
}

impl GridPos {
    /// Whether two positions share at least one cell.
    pub fn overlaps(&self, other: &GridPos) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// One Prometheus query of a panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    /// The datasource variable.
    pub datasource: DataSourceRef,
    /// `code`: the query editor opens on the PromQL text.
    pub editor_mode: String,
    /// The PromQL expression, with `$variables`.
    pub expr: String,
    /// `time_series` or `table`.
    pub format: String,
    /// Evaluate at the end of the range only.
    pub instant: bool,
    /// Series name template, `{{service}}`.
    pub legend_format: String,
    /// Evaluate over the whole range.
    pub range: bool,
    /// Unique within the panel: `A`, `B`, ...
    pub ref_id: String,
}

/// Field defaults and overrides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldConfig {
    /// What applies to every field.
    pub defaults: FieldDefaults,
    /// Per-field exceptions.
    pub overrides: Vec<FieldOverride>,
}

/// What applies to every field of a panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldDefaults {
    /// How values are coloured.
    pub color: FieldColor,
    /// Plugin-specific field options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<FieldCustom>,
    /// Decimals shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u8>,
    /// Data links on values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<DataLink>,
    /// Upper bound of the axis or gauge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Lower bound of the axis or gauge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Text shown when the query returns nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_value: Option<String>,
    /// Threshold steps.
    pub thresholds: Thresholds,
    /// A unit id from Grafana's registry (see [`super::units`]).
    pub unit: String,
}

/// How values are coloured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldColor {
    /// `thresholds`, `palette-classic`, `fixed`.
    pub mode: String,
}

/// A data link on a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataLink {
    /// Open in a new tab.
    pub target_blank: bool,
    /// The text shown.
    pub title: String,
    /// Where it goes; may interpolate `${__field.labels.x}`.
    pub url: String,
}

/// Threshold steps: the first has value `null` (minus infinity), the rest ascend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// `absolute` or `percentage`.
    pub mode: String,
    /// The steps, ascending.
    pub steps: Vec<ThresholdStep>,
}

/// One threshold step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdStep {
    /// Colour from this value up.
    pub color: String,
    /// Lower bound; `None` (`null`) for the first step.
    pub value: Option<f64>,
}

impl Thresholds {
    /// Absolute steps starting at `base` colour, then each `(value, colour)` in order.
    pub fn absolute(base: &str, steps: &[(f64, &str)]) -> Thresholds {
        let mut all = vec![ThresholdStep {
            color: base.to_owned(),
            value: None,
        }];
        all.extend(steps.iter().map(|(value, color)| ThresholdStep {
            color: (*color).to_owned(),
            value: Some(*value),
        }));
        Thresholds {
            mode: "absolute".to_owned(),
            steps: all,
        }
    }
}

/// Plugin-specific field options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldCustom {
    /// Time series drawing options.
    Timeseries(TimeseriesCustom),
    /// Table cell options.
    Table(TableCustom),
}

/// How a time series is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeseriesCustom {
    /// `line`, `bars` or `points`.
    pub draw_style: String,
    /// 0..100.
    pub fill_opacity: u8,
    /// Line width in pixels.
    pub line_width: u8,
    /// `auto`, `never`, `always`.
    pub show_points: String,
    /// How stacked series add up.
    pub stacking: Stacking,
    /// How thresholds are drawn: `line`, `area`, `off`, ...
    pub thresholds_style: ThresholdsStyle,
}

/// Stacking of series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stacking {
    /// Stack group name.
    pub group: String,
    /// `none`, `normal` or `percent`.
    pub mode: String,
}

/// How thresholds are drawn on a time series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsStyle {
    /// `off`, `line`, `dashed`, `area`, `line+area`, `dashed+area`.
    pub mode: String,
}

/// How table cells look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableCustom {
    /// `auto`, `left`, `right`, `center`.
    pub align: String,
    /// Cell display options.
    pub cell_options: CellOptions,
    /// Whether columns can be filtered.
    pub filterable: bool,
}

/// Cell display options.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellOptions {
    /// `auto`, `color-background`, `color-text`, ...
    #[serde(rename = "type")]
    pub kind: String,
}

/// A per-field exception to the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOverride {
    /// Which fields.
    pub matcher: Matcher,
    /// What changes.
    pub properties: Vec<OverrideProperty>,
}

/// Selects fields of a frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// `byName`, `byRegexp`, ...
    pub id: String,
    /// The matcher's argument.
    pub options: String,
}

/// One overridden field option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideProperty {
    /// The option id: `unit`, `displayName`, `thresholds`, `custom.cellOptions`, ...
    pub id: String,
    /// Its value.
    pub value: serde_json::Value,
}

/// A transformation of query results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transformation {
    /// The transformer id: `organize`, `merge`, `sortBy`, ...
    pub id: String,
    /// Its options.
    pub options: serde_json::Value,
}

/// Plugin options of a panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PanelOptions {
    /// Time series options.
    Timeseries(TimeseriesOptions),
    /// Gauge options (before stat: both reduce, only a gauge has threshold markers).
    Gauge(GaugeOptions),
    /// Stat options.
    Stat(StatOptions),
    /// Table options.
    Table(TableOptions),
}

/// Options of a time series panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeseriesOptions {
    /// The legend.
    pub legend: Legend,
    /// The tooltip.
    pub tooltip: Tooltip,
}

/// A time series legend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Legend {
    /// Reducers shown beside each series: `lastNotNull`, `max`, `mean`.
    pub calcs: Vec<String>,
    /// `list` or `table`.
    pub display_mode: String,
    /// `bottom` or `right`.
    pub placement: String,
    /// Whether it is shown.
    pub show_legend: bool,
}

/// A time series tooltip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tooltip {
    /// `single`, `multi` or `none`.
    pub mode: String,
    /// `none`, `asc` or `desc`.
    pub sort: String,
}

/// How a stat or gauge reduces a series to one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReduceOptions {
    /// Reducers: `lastNotNull`.
    pub calcs: Vec<String>,
    /// Which fields; empty for numeric fields.
    pub fields: String,
    /// Show every value instead of reducing.
    pub values: bool,
}

impl ReduceOptions {
    /// The last non-null value of each numeric field.
    pub fn last_not_null() -> ReduceOptions {
        ReduceOptions {
            calcs: vec!["lastNotNull".to_owned()],
            fields: String::new(),
            values: false,
        }
    }
}

/// Options of a stat panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatOptions {
    /// `value`, `background`, `none`.
    pub color_mode: String,
    /// `none`, `area`.
    pub graph_mode: String,
    /// `auto`, `center`.
    pub justify_mode: String,
    /// `auto`, `horizontal`, `vertical`.
    pub orientation: String,
    /// Reduction to one value.
    pub reduce_options: ReduceOptions,
    /// `auto`, `value`, `value_and_name`.
    pub text_mode: String,
}

/// Options of a gauge panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GaugeOptions {
    /// `auto`, `horizontal`, `vertical`.
    pub orientation: String,
    /// Reduction to one value.
    pub reduce_options: ReduceOptions,
    /// Print the threshold values on the dial.
    pub show_threshold_labels: bool,
    /// Draw the thresholds as a band on the dial.
    pub show_threshold_markers: bool,
}

/// Options of a table panel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableOptions {
    /// Which frame to show when several come back.
    pub frame_index: u32,
    /// Show the header row.
    pub show_header: bool,
    /// Initial sort.
    pub sort_by: Vec<SortBy>,
}

/// A table's initial sort.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SortBy {
    /// Sort descending.
    pub desc: bool,
    /// The column's display name.
    pub display_name: String,
}

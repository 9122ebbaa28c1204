//! Packs panels onto Grafana's 24-column grid, top to bottom, left to right.
//!
//! Panels flow along a line until the next one would pass column 24; then a new line starts
//! below the tallest panel of the current one. A row header always starts a new line and
//! spans the full width. Ids are handed out in placement order, so they are stable for a
//! given sequence of panels.

use super::model::{GridPos, Panel, PanelKind};

/// Columns of Grafana's grid.
pub const GRID_COLUMNS: u32 = 24;

/// Places panels and numbers them.
#[derive(Debug, Default)]
pub struct Layout {
    panels: Vec<Panel>,
    x: u32,
    y: u32,
    line_height: u32,
}

impl Layout {
    /// An empty grid.
    pub fn new() -> Layout {
        Layout::default()
    }

    /// Starts a new section under an expanded row header titled `title`.
    pub fn row(&mut self, title: &str) {
        self.new_line();
        let pos = GridPos {
            h: 1,
            w: GRID_COLUMNS,
            x: 0,
            y: self.y,
        };
        self.push(Panel {
            collapsed: Some(false),
            datasource: None,
            description: None,
            field_config: None,
            grid_pos: pos,
            id: 0,
            links: Vec::new(),
            options: None,
            panels: Some(Vec::new()),
            targets: Vec::new(),
            title: title.to_owned(),
            transformations: Vec::new(),
            kind: PanelKind::Row,
        });
        self.y += 1;
    }

    /// Places `panel` with width `w` (clamped to 1..=24) and height `h` (at least 1).
    pub fn add(&mut self, mut panel: Panel, w: u32, h: u32) {
        let w = w.clamp(1, GRID_COLUMNS);
        let h = h.max(1);
        if self.x + w > GRID_COLUMNS {
            self.new_line();
        }
        panel.grid_pos = GridPos {
            h,
            w,
            x: self.x,
            y: self.y,
        };
        self.x += w;
        self.line_height = self.line_height.max(h);
        self.push(panel);
    }

    /// How many panels (rows included) are placed; the index the next one gets.
    pub fn len(&self) -> usize {
        self.panels.len()
    }

    /// Whether nothing is placed yet.
    pub fn is_empty(&self) -> bool {
        self.panels.is_empty()
    }

    /// The placed panels, numbered from 1 in placement order.
    pub fn finish(self) -> Vec<Panel> {
        self.panels
    }

    fn new_line(&mut self) {
        self.y += self.line_height;
        self.x = 0;
        self.line_height = 0;
    }

    fn push(&mut self, mut panel: Panel) {
        panel.id = self.panels.len() as u32 + 1;
        self.panels.push(panel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> Panel {
        Panel {
            collapsed: None,
            datasource: None,
            description: None,
            field_config: None,
            grid_pos: GridPos::default(),
            id: 0,
            links: Vec::new(),
            options: None,
            panels: None,
            targets: Vec::new(),
            title: "p".to_owned(),
            transformations: Vec::new(),
            kind: PanelKind::Stat,
        }
    }

    #[test]
    fn panels_wrap_at_24_columns_below_the_tallest() {
        let mut layout = Layout::new();
        layout.row("first");
        layout.add(blank(), 12, 8);
        layout.add(blank(), 8, 4);
        layout.add(blank(), 8, 6);
        layout.row("second");
        layout.add(blank(), 30, 0);
        let panels = layout.finish();
        let positions: Vec<_> = panels
            .iter()
            .map(|p| (p.id, p.grid_pos.x, p.grid_pos.y, p.grid_pos.w, p.grid_pos.h))
            .collect();
        assert_eq!(
            positions,
            vec![
                (1, 0, 0, 24, 1),
                (2, 0, 1, 12, 8),
                (3, 12, 1, 8, 4),
                (4, 0, 9, 8, 6),
                (5, 0, 15, 24, 1),
                (6, 0, 16, 24, 1),
            ]
        );
        for (i, a) in panels.iter().enumerate() {
            for b in &panels[i + 1..] {
                assert!(!a.grid_pos.overlaps(&b.grid_pos), "{} and {}", a.id, b.id);
            }
        }
    }
}

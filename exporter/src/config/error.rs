//! Errors in configuration files, each pointing at its file, line and column.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong at one place of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// How many characters the caret underlines (at least one).
    pub width: u32,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when we can tell.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem at `line:column` underlining `width` characters.
    pub fn at(line: u32, column: u32, width: u32, message: impl Into<String>) -> Problem {
        Problem {
            line,
            column,
            width: width.max(1),
            message: message.into(),
            hint: None,
        }
    }

    /// A problem with the file as a whole (unreadable, empty pattern list, ...).
    pub fn whole_file(message: impl Into<String>) -> Problem {
        Problem {
            line: 0,
            column: 0,
            width: 1,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint shown under the caret.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }
}

/// Everything wrong with one file, in the order of the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// The file's text, to quote the offending lines; empty when it could not be read.
    pub text: String,
    /// At least one problem, sorted by position.
    pub problems: Vec<Problem>,
}

impl FileError {
    /// An error made of `problems`, sorted by position.
    pub fn new(path: &Path, text: &str, mut problems: Vec<Problem>) -> FileError {
        problems.sort_by_key(|p| (p.line, p.column));
        problems.dedup();
        FileError {
            path: path.to_owned(),
            text: text.to_owned(),
            problems,
        }
    }

    /// A file that could not be read at all.
    pub fn unreadable(path: &Path, error: &std::io::Error) -> FileError {
        let problem = Problem::whole_file(format!("cannot read the file: {error}"));
        FileError::new(path, "", vec![problem])
    }

    /// One line per problem, `file:line:column: message (hint)`, for logs.
    pub fn summary(&self) -> String {
        let lines: Vec<String> = self
            .problems
            .iter()
            .map(|problem| {
                let mut line = format!("{}: {}", self.position(problem), problem.message);
                if let Some(hint) = &problem.hint {
                    line.push_str(&format!(" (hint: {hint})"));
                }
                line
            })
            .collect();
        lines.join("; ")
    }

    /// `file:line:column` of a problem, or just `file` for the whole file.
    pub fn position(&self, problem: &Problem) -> String {
        if problem.line == 0 {
            self.path.display().to_string()
        } else {
            format!(
                "{}:{}:{}",
                self.path.display(),
                problem.line,
                problem.column
            )
        }
    }

    /// Writes the quoted line with a caret under the offending text, and the hint.
    fn write_snippet(&self, f: &mut fmt::Formatter<'_>, problem: &Problem) -> fmt::Result {
        let Some(source) = self.text.lines().nth(problem.line as usize - 1) else {
            return Ok(());
        };
        let number = problem.line.to_string();
        let gutter = " ".repeat(number.len());
        let indent: String = source
            .chars()
            .take(problem.column.saturating_sub(1) as usize)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let carets = "^".repeat(problem.width as usize);

        writeln!(f, "{gutter} |")?;
        writeln!(f, "{number} | {source}")?;
        write!(f, "{gutter} | {indent}{carets}")?;
        if let Some(hint) = &problem.hint {
            write!(f, " {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{}: {}", self.position(problem), problem.message)?;
            if problem.line == 0 {
                if let Some(hint) = &problem.hint {
                    write!(f, "\n  hint: {hint}")?;
                }
                continue;
            }
            f.write_str("\n")?;
            self.write_snippet(f, problem)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_position_line_and_caret() {
        let text = "static_configs:\n  - targets: [a]\n    lables: {}\n";
        let problem =
            Problem::at(3, 5, 6, "unknown key `lables`").with_hint("did you mean `labels`?");
        let error = FileError::new(Path::new("c.yaml"), text, vec![problem]);
        assert_eq!(
            error.to_string(),
            "c.yaml:3:5: unknown key `lables`\n  |\n3 |     lables: {}\n  |     ^^^^^^ did you mean `labels`?"
        );
        assert_eq!(
            error.summary(),
            "c.yaml:3:5: unknown key `lables` (hint: did you mean `labels`?)"
        );
    }

    #[test]
    fn problems_come_in_file_order() {
        let problems = vec![
            Problem::at(2, 1, 1, "second"),
            Problem::at(1, 3, 1, "first"),
        ];
        let error = FileError::new(Path::new("c.yaml"), "a: b\nc: d\n", problems);
        assert_eq!(error.summary(), "c.yaml:1:3: first; c.yaml:2:1: second");
    }

    #[test]
    fn unreadable_files_name_the_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let error = FileError::unreadable(Path::new("missing.yaml"), &io);
        assert_eq!(
            error.to_string(),
            "missing.yaml: cannot read the file: gone"
        );
    }
}

use std::fmt;
use std::path::PathBuf;

/// One mistake in a content pack, with where to find it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file, relative to the pack folder.
    pub file: PathBuf,
    /// 1-based line in that file, when the mistake has one.
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub(crate) fn new(
        file: impl Into<PathBuf>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_shows_as_file_line_and_message() {
        assert_eq!(
            Problem::new("general/rules.md", Some(7), "raw HTML").to_string(),
            "general/rules.md:7: raw HTML"
        );
        assert_eq!(
            Problem::new("pack.toml", None, "no parks").to_string(),
            "pack.toml: no parks"
        );
    }
}

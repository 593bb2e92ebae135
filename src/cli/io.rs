//! Reading journey files, writing output, exit codes.

use super::{ColorChoice, InputArgs, InputFormat};
use anyhow::Context;
use peakend::Style;
use peakend::{Format, LoadOptions};
use peakend::{Journey, ScaleSpec};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

/// A failure that has already been reported to stderr; carries the exit code.
#[derive(Debug)]
struct Exit(u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// An error that was reported already: exit with `code`.
pub(crate) fn reported(code: u8) -> anyhow::Error {
    anyhow::Error::new(Exit(code))
}

/// Print a usage error and exit 2.
pub(crate) fn usage(message: impl std::fmt::Display) -> anyhow::Error {
    eprintln!("peakend: error: {message}");
    reported(2)
}

/// The exit code for a failed command; an error not reported yet is
/// printed first.
pub(crate) fn exit_code(e: anyhow::Error) -> ExitCode {
    match e.downcast::<Exit>() {
        Ok(Exit(code)) => ExitCode::from(code),
        Err(e) => {
            eprintln!("peakend: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// The input's bytes, read up to one byte past the input limit (so that
/// a huge file is refused by the limit, not by running out of memory).
fn read_input(file: &str) -> anyhow::Result<Vec<u8>> {
    let limit = LoadOptions::new().limits_in_use().input_bytes_limit();
    let mut s = Vec::new();
    if file == "-" {
        std::io::stdin()
            .take(limit.saturating_add(1))
            .read_to_end(&mut s)
            .context("cannot read standard input")?;
    } else {
        std::fs::File::open(file)
            .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut s))
            .with_context(|| format!("cannot read {file}"))?;
    }
    Ok(s)
}

/// The name of an input in messages.
pub(crate) fn display_name(file: &str) -> &str {
    if file == "-" { "<stdin>" } else { file }
}

/// The format and load options the flags ask for.
fn load_settings(
    file: &str,
    text: &str,
    input: &InputArgs,
) -> anyhow::Result<(Format, LoadOptions)> {
    let format = match input.input_format {
        // Standard input has no extension: the text says what it is.
        InputFormat::Auto if file == "-" => Format::sniff(text),
        InputFormat::Auto => Format::from_path(file),
        InputFormat::Json => Format::Json,
        InputFormat::Mermaid => Format::Mermaid,
        InputFormat::Csv => Format::Csv,
    };
    let stem = if file == "-" {
        "journey".to_string()
    } else {
        std::path::Path::new(file)
            .file_stem()
            .map_or("journey".into(), |s| s.to_string_lossy().into_owned())
    };
    let mut options = LoadOptions::new().name(stem);
    if let Some(s) = &input.scale {
        let scale: ScaleSpec = s.parse().map_err(|e| usage(format_args!("--scale {e}")))?;
        if format != Format::Csv {
            return Err(usage(
                "--scale is for CSV input (JSON and Mermaid files carry their scale)",
            ));
        }
        options = options.csv(peakend::csv::CsvOptions::new().scale(scale));
    }
    Ok((format, options))
}

/// Load a journey in any format, printing every problem to stderr (an
/// import's warnings too, unless `quiet`: then the caller prints the
/// journey's warnings itself). `None` when the journey is invalid.
pub(crate) fn load(file: &str, input: &InputArgs, quiet: bool) -> anyhow::Result<Option<Journey>> {
    let bytes = read_input(file)?;
    // Only standard input is sniffed, from its first line: no need to
    // decode a whole file for that.
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let (format, options) = load_settings(file, &String::from_utf8_lossy(head), input)?;
    let name = display_name(file);
    let mut err = std::io::stderr().lock();
    match peakend::load_bytes(&bytes, format, &options) {
        Ok(j) => {
            if format != Format::Json && !quiet {
                print_problems(&mut err, j.warnings(), name);
            }
            Ok(Some(j))
        }
        Err(e) => {
            print_problems(&mut err, &e.problems, name);
            let n = e.errors().count();
            let _ = writeln!(err, "{name}: invalid journey ({n} error{})", plural(n));
            Ok(None)
        }
    }
}

/// At most this many problems of one file are printed; the rest are counted.
const SHOWN_PROBLEMS: usize = 100;

/// Print problems compiler-style, the first [`SHOWN_PROBLEMS`] of them and
/// a count of the rest (a file with 100,000 mistakes is one mistake made
/// 100,000 times; the terminal does not need all of them).
pub(crate) fn print_problems(err: &mut impl Write, problems: &[peakend::Problem], name: &str) {
    for p in problems.iter().take(SHOWN_PROBLEMS) {
        let _ = writeln!(err, "{}", p.located(name));
    }
    if problems.len() > SHOWN_PROBLEMS {
        let rest = problems.len() - SHOWN_PROBLEMS;
        let _ = writeln!(
            err,
            "{name}: ... and {rest} more problem{} not shown",
            plural(rest)
        );
    }
}

/// True when the error was reported already (it carries an exit code).
pub(crate) fn is_reported(e: &anyhow::Error) -> bool {
    e.is::<Exit>()
}

/// Where a command writes: a file (`--output`), or standard output.
pub(crate) struct Output {
    path: Option<String>,
}

impl Output {
    /// The file written to (`None`: standard output).
    pub(crate) fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// Whether the output is a file (not standard output).
    pub(crate) fn is_file(&self) -> bool {
        self.path.is_some()
    }

    /// Whether the output is a file whose name ends in `.gz`.
    pub(crate) fn is_gz(&self) -> bool {
        self.path
            .as_deref()
            .is_some_and(|p| p.to_ascii_lowercase().ends_with(".gz"))
    }

    /// Whether the output is a file whose name ends in `.xes` or `.xes.gz`.
    pub(crate) fn is_xes(&self) -> bool {
        self.path.as_deref().is_some_and(|p| {
            let p = p.to_ascii_lowercase();
            p.ends_with(".xes") || p.ends_with(".xes.gz")
        })
    }

    /// Checked before any work: `--output` naming the input journey is
    /// refused (exit 2) unless `force`.
    pub(crate) fn new(path: Option<String>, force: bool, input: &str) -> anyhow::Result<Output> {
        let path = path.filter(|p| p != "-");
        if let Some(p) = &path
            && !force
            && input != "-"
            && same_file(p, input)
        {
            return Err(usage(format_args!(
                "--output {p} is the input journey: it would be overwritten (add --force to do that)"
            )));
        }
        Ok(Output { path })
    }

    /// Write the text: to a temporary file beside the target, renamed into
    /// place only once complete (a failed write leaves the target as it
    /// was and no partial file); or to standard output.
    pub(crate) fn write(&self, out: String) -> anyhow::Result<()> {
        if self.path.is_none() {
            return emit(out);
        }
        self.write_with(|w| Ok(w.write_all(out.as_bytes())?))
    }

    /// Stream into the output as `write` does, without holding it all in
    /// memory: `f` writes through a buffer. On standard output a closed
    /// pipe ends quietly (with `T`'s default).
    pub(crate) fn write_with<T: Default>(
        &self,
        f: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let Some(p) = &self.path else {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let done = f(&mut out).and_then(|t| {
                out.flush()?;
                Ok(t)
            });
            return match done {
                Err(e)
                    if e.downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
                {
                    Ok(T::default())
                }
                Err(e) => Err(e.context("cannot write to standard output")),
                ok => ok,
            };
        };
        let target = std::path::Path::new(p);
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".peakend-").suffix(".tmp");
        // The permissions a plain write would give (a private 0600 is the
        // temporary file's default): the target's own when it exists.
        #[cfg(unix)]
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(target).map_or(0o666, |m| m.permissions().mode() & 0o7777)
        };
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(mode));
        let mut tmp = builder
            .tempfile_in(dir)
            .with_context(|| format!("cannot write {p}"))?;
        let t = {
            let mut w = std::io::BufWriter::new(tmp.as_file_mut());
            let t = f(&mut w).with_context(|| format!("cannot write {p}"))?;
            w.flush().with_context(|| format!("cannot write {p}"))?;
            t
        };
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write {p}"))?;
        tmp.persist(target)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {p}"))?;
        Ok(t)
    }
}

/// True when both paths name the same existing file.
fn same_file(a: &str, b: &str) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Write to standard output. A closed pipe (`| head`) ends quietly; any
/// other failure (a full disk) is an error, exit 1.
pub(crate) fn emit(out: String) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Colour on a terminal unless NO_COLOR is set, or as asked.
pub(crate) fn style(choice: ColorChoice) -> Style {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    if on { Style::COLOR } else { Style::PLAIN }
}

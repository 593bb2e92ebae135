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
    say!("peakend: error: {message}");
    reported(2)
}

/// A file to read, `-` standard input.
pub(crate) fn open_input(path: &str) -> anyhow::Result<Box<dyn Read>> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let f = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))?;
    Ok(Box::new(f))
}

/// Refuse (exit 2) two inputs of one command that both read standard
/// input (`-`): one stream cannot be two files. Each is (what it is, the
/// path given).
pub(crate) fn one_stdin(inputs: &[(&str, Option<&str>)]) -> anyhow::Result<()> {
    let stdin: Vec<&str> = inputs
        .iter()
        .filter(|(_, p)| *p == Some("-"))
        .map(|(what, _)| *what)
        .collect();
    if let [a, b, ..] = stdin[..] {
        return Err(usage(format_args!(
            "{a} and {b} both read standard input (`-`): one stream cannot be two files; give \
             one of them as a file"
        )));
    }
    Ok(())
}

/// The exit code for a failed command; an error not reported yet is
/// printed first.
pub(crate) fn exit_code(e: anyhow::Error) -> ExitCode {
    match e.downcast::<Exit>() {
        Ok(Exit(code)) => ExitCode::from(code),
        Err(e) => {
            say!("peakend: error: {e:#}");
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

    /// Refuse (exit 2), unless `force`, an output that is another input
    /// of the command (`what` says which: "the case table", "the mapping").
    pub(crate) fn not_over(
        self,
        file: Option<&str>,
        what: &str,
        force: bool,
    ) -> anyhow::Result<Output> {
        if let (Some(p), Some(f)) = (&self.path, file)
            && !force
            && f != "-"
            && same_file(p, f)
        {
            return Err(usage(format_args!(
                "--output {p} is {what}: it would be overwritten (add --force to do that)"
            )));
        }
        Ok(self)
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
        let target = match resolve(std::path::Path::new(p)) {
            Ok(t) => t,
            Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot write {p}"))),
        };
        match target {
            Target::Through(path) => {
                write_through(&path, f).with_context(|| format!("cannot write {p}"))
            }
            Target::Replace(path) => replace(&path, f).with_context(|| format!("cannot write {p}")),
        }
    }

    /// Where the output really goes, for telling two outputs apart: the
    /// file at the end of any symbolic links (`None`: standard output).
    pub(crate) fn resolved(&self) -> Option<std::path::PathBuf> {
        let p = std::path::Path::new(self.path.as_deref()?);
        Some(match resolve(p) {
            Ok(Target::Replace(t) | Target::Through(t)) => t,
            Err(_) => p.to_path_buf(),
        })
    }

    /// Whether the output is a character device (`/dev/null`): a sink two
    /// outputs may share.
    pub(crate) fn is_device(&self) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            self.path
                .as_deref()
                .is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| m.file_type().is_char_device()))
        }
        #[cfg(not(unix))]
        false
    }
}

/// Refuse (exit 2) two outputs of one command that lead to the same file,
/// after following symbolic links: the second would overwrite the first.
/// A character device (`/dev/null`) may take both.
pub(crate) fn distinct_outputs(a: (&str, &Output), b: (&str, &Output)) -> anyhow::Result<()> {
    if let (Some(x), Some(y)) = (a.1.resolved(), b.1.resolved())
        && x == y
        && !a.1.is_device()
    {
        return Err(usage(format_args!(
            "{} {} and {} {} are the same file: the one would overwrite the other",
            a.0,
            a.1.path().unwrap_or_default(),
            b.0,
            b.1.path().unwrap_or_default()
        )));
    }
    Ok(())
}

/// How an output path is written.
enum Target {
    /// A regular file, or nothing yet: written to a temporary file beside
    /// it and renamed into place (the path is the one at the end of any
    /// symbolic links, so a link keeps pointing where it did).
    Replace(std::path::PathBuf),
    /// A character device or a FIFO: written through, never replaced.
    Through(std::path::PathBuf),
}

/// At most this many symbolic links are followed (Linux's own limit).
const MAX_LINKS: usize = 40;

/// What writing to `p` means: follow symbolic links to what they name,
/// replace a regular file (or create a missing one), write through a
/// character device or FIFO, and refuse the rest (a directory, a block
/// device, a socket).
fn resolve(p: &std::path::Path) -> std::io::Result<Target> {
    use std::io::{Error, ErrorKind};
    match std::fs::metadata(p) {
        Ok(m) if m.is_file() => Ok(Target::Replace(std::fs::canonicalize(p)?)),
        Ok(m) if m.is_dir() => Err(Error::other("it is a directory")),
        Ok(m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                let t = m.file_type();
                if t.is_char_device() || t.is_fifo() {
                    return Ok(Target::Through(p.to_path_buf()));
                }
                Err(Error::other(if t.is_block_device() {
                    "it is a block device (a disk): peakend does not write onto disks"
                } else {
                    "it is not a regular file, a character device or a FIFO"
                }))
            }
            #[cfg(not(unix))]
            {
                let _ = m;
                Err(Error::other("it is not a regular file"))
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // Nothing there, or a link to nothing: the file is created
            // where the last link points.
            let mut at = p.to_path_buf();
            for _ in 0..MAX_LINKS {
                match std::fs::symlink_metadata(&at) {
                    Ok(m) if m.file_type().is_symlink() => {
                        let next = std::fs::read_link(&at)?;
                        at = match at.parent() {
                            Some(dir) if next.is_relative() => dir.join(next),
                            _ => next,
                        };
                    }
                    _ => return Ok(Target::Replace(absolute(&at))),
                }
            }
            Err(Error::other("too many levels of symbolic links"))
        }
        Err(e) => Err(e),
    }
}

/// A path made absolute by its directory's canonical form (the file
/// itself need not exist), so that two spellings of one place compare
/// equal.
fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    match (std::fs::canonicalize(dir), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => p.to_path_buf(),
    }
}

/// Write through a device or FIFO: opened as it is (never truncated,
/// renamed or created), every write and the flush checked, so that a
/// full device (`/dev/full`) is an error.
fn write_through<T>(
    path: &std::path::Path,
    f: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    let mut w = std::io::BufWriter::new(file);
    let t = f(&mut w)?;
    w.flush()?;
    Ok(t)
}

/// Write a regular file atomically: a temporary file beside the target,
/// synced, then renamed over it (a failed write leaves the target as it
/// was and no partial file).
fn replace<T>(
    target: &std::path::Path,
    f: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
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
    let mut tmp = builder.tempfile_in(dir)?;
    let t = {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        let t = f(&mut w)?;
        w.flush()?;
        t
    };
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(t)
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

/// The memory model `--model` and `--weights` ask for (usage errors exit
/// 2): a built-in by name, or a model file (`peakend fit -o`; a file that
/// does not read exits 1).
pub(crate) fn model_of(name: &str, weights: Option<&str>) -> anyhow::Result<peakend::Model> {
    if !peakend::Model::NAMES.contains(&name) {
        let path = std::path::Path::new(name);
        if !(path.is_file() || name.ends_with(".json")) {
            return Err(usage(format_args!(
                "unknown model `{name}` (known: {}; or a model file written by `peakend fit -o`)",
                peakend::Model::NAMES.join(", ")
            )));
        }
        if weights.is_some() {
            return Err(usage(
                "bad weights: --weights only applies to --model weighted; a model file has its own",
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the model file {name}: {e}"))?;
        let m = peakend::FittedModel::from_json_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", display_name(name)))?;
        return Ok(peakend::Model::Fitted(Box::new(m.file(name))));
    }
    Ok(match (name, weights) {
        ("weighted", None) => {
            return Err(usage(
                "bad weights: the weighted model needs --weights, e.g. peak=0.4,end=0.4,mean=0.2",
            ));
        }
        ("weighted", Some(w)) => peakend::Model::Weighted(w.parse().map_err(usage)?),
        (name, None) => name.parse::<peakend::Model>().map_err(usage)?,
        (name, Some(_)) => {
            return Err(usage(format_args!(
                "bad weights: --weights only applies to --model weighted, not {name}"
            )));
        }
    })
}

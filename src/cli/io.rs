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

fn read_input(file: &str) -> anyhow::Result<Vec<u8>> {
    if file == "-" {
        let mut s = Vec::new();
        std::io::stdin()
            .read_to_end(&mut s)
            .context("cannot read standard input")?;
        Ok(s)
    } else {
        std::fs::read(file).with_context(|| format!("cannot read {file}"))
    }
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
    let (format, options) = load_settings(file, &String::from_utf8_lossy(&bytes), input)?;
    let name = display_name(file);
    let mut err = std::io::stderr().lock();
    match peakend::load_bytes(&bytes, format, &options) {
        Ok(j) => {
            if format != Format::Json && !quiet {
                for w in j.warnings() {
                    let _ = writeln!(err, "{}", w.located(name));
                }
            }
            Ok(Some(j))
        }
        Err(e) => {
            for p in &e.problems {
                let _ = writeln!(err, "{}", p.located(name));
            }
            let n = e.errors().count();
            let _ = writeln!(err, "{name}: invalid journey ({n} error{})", plural(n));
            Ok(None)
        }
    }
}

/// Write to the named file, or to standard output without one.
pub(crate) fn write_output(path: Option<&str>, out: String) -> anyhow::Result<()> {
    match path {
        None | Some("-") => {
            emit(out);
            Ok(())
        }
        Some(p) => std::fs::write(p, out).with_context(|| format!("cannot write {p}")),
    }
}

/// Write to standard output.
pub(crate) fn emit(out: String) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth a message.
    let _ = stdout.write_all(out.as_bytes());
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

//! `peakend fit`: read a log and a case table, fit, report, write the
//! model file.

use super::io::{
    Output, display_name, emit, model_of, one_stdin, open_input, reported, style, usage,
};
use super::{Command, OutFormat};
use peakend::fit::{FitError, FitOptions, fit_log};
use peakend::render;

/// Read the files and fit; problems are reported here (exit 1; options
/// out of range exit 2).
fn run(log: &str, case_table: &str, options: &FitOptions) -> anyhow::Result<peakend::fit::Fit> {
    let table = open_input(case_table)?;
    let fitted = fit_log(open_input(log)?, table, options);
    match fitted {
        Ok(f) => Ok(f),
        Err(FitError::Log(e)) => {
            say!("{}: error: {e}", display_name(log));
            Err(reported(1))
        }
        Err(FitError::CaseTable(e)) => {
            say!("{case_table}: error: {e}");
            Err(reported(1))
        }
        Err(FitError::Options(m)) => Err(usage(m)),
        Err(e) => {
            say!("peakend fit: error: {e}");
            Err(reported(1))
        }
    }
}

/// `fit`, from its arguments.
pub(crate) fn fit_command(command: Command) -> anyhow::Result<()> {
    let Command::Fit {
        log,
        case_table,
        columns,
        rating_scale,
        folds,
        repeats,
        seed,
        bootstrap,
        positive,
        choose,
        model,
        weights,
        output,
        force,
        out,
    } = command
    else {
        unreachable!("only fit comes here")
    };
    one_stdin(&[("the log", Some(&log)), ("--cases", Some(&case_table))])?;
    let output = output
        .map(|o| {
            Output::new(Some(o), force, &log)?.not_over(Some(&case_table), "the case table", force)
        })
        .transpose()?;
    let name = |f: &str| {
        std::path::Path::new(f)
            .file_name()
            .map_or(f.to_string(), |n| n.to_string_lossy().into_owned())
    };
    let mut options = FitOptions::new()
        .folds(folds)
        .repeats(repeats)
        .seed(seed)
        .bootstrap(bootstrap)
        .model(model_of(&model, weights.as_deref())?)
        .log(columns.options())
        .source(
            if log == "-" {
                "stdin".into()
            } else {
                name(&log)
            },
            Some(name(&case_table)),
        );
    if let Some((a, b)) = rating_scale {
        options = options.rating_scale(a, b);
    }
    if let Some(p) = positive {
        options = options.positive(p);
    }
    if let Some(c) = choose {
        options = options.choose(c);
    }
    let fit = run(&log, &case_table, &options)?;
    if let Some(o) = &output {
        o.write(fit.model.to_json())?;
    }
    emit(match out.format {
        OutFormat::Json => render::fit_json(&fit),
        OutFormat::Text => {
            let mut t = render::fit_text(&fit, style(out.color));
            if let Some(o) = &output {
                t.push_str(&format!(
                    "\nWrote the model `{}` to {}: use it with --model {} on any command\n",
                    fit.model.chosen,
                    o.path().unwrap_or_default(),
                    o.path().unwrap_or_default()
                ));
            }
            t
        }
    })
}

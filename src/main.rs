//! The `peakend` command-line tool: argument parsing and I/O only.

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use peakend::moments::{self, Thresholds};
use peakend::report::{self, Style};
use peakend::{Journey, Model, Options, analyze};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

/// What customers will remember: peak-end analysis of customer journeys.
#[derive(Parser)]
#[command(name = "peakend", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    input: InputArgs,
}

/// How journey files are read (for every command that reads one).
#[derive(clap::Args, Clone)]
struct InputArgs {
    /// Format of the journey file: auto (by extension: .mmd/.mermaid
    /// Mermaid, .csv/.tsv CSV, else JSON), json, mermaid or csv
    #[arg(long, global = true, value_enum, default_value_t = InputFormat::Auto)]
    input_format: InputFormat,
    /// Emotion scale of a CSV sheet: MIN,MAX,NEUTRAL [default: -10,10,0]
    #[arg(
        long,
        global = true,
        value_name = "MIN,MAX,NEUTRAL",
        allow_hyphen_values = true
    )]
    scale: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    Auto,
    Json,
    Mermaid,
    Csv,
}

static INPUT: std::sync::OnceLock<InputArgs> = std::sync::OnceLock::new();

#[derive(Subcommand)]
enum Command {
    /// Check journey files; list every problem with its place
    Validate {
        /// Journey files: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Compute the remembered experience over every path
    Analyze {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Defining, missed and forgettable moments, with every reason
    Moments {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// What if: edit the journey and compare the remembered experience
    Simulate {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Set a touchpoint's emotion: ID=EMOTION
        #[arg(long, value_name = "ID=EMOTION")]
        set: Vec<String>,
        /// Shift a touchpoint's emotion: ID=DELTA
        #[arg(long, value_name = "ID=DELTA", allow_hyphen_values = true)]
        shift: Vec<String>,
        /// Add a closing touchpoint after every end: NAME=EMOTION
        #[arg(long, value_name = "NAME=EMOTION")]
        append: Vec<String>,
        /// Cut a step; its predecessors take over its transitions
        #[arg(long, value_name = "ID")]
        remove: Vec<String>,
        /// Re-route customers: FROM->TO=P (siblings renormalised)
        #[arg(long, value_name = "FROM->TO=P")]
        probability: Vec<String>,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Where to invest: simulated actions ranked by lift per cost, a plan
    Recommend {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Budget for a plan (same unit as the journey's improvement costs;
        /// an action without a given cost costs the median of those, or 1)
        #[arg(long)]
        budget: Option<f64>,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Draw the journey map as SVG: what customers will remember, at a glance
    Render {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Write the SVG here instead of standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Draw at most this many touchpoints; a longer journey is collapsed
        /// (defining moments, the most likely path, then the most visited)
        #[arg(long, default_value_t = 200)]
        max_touchpoints: usize,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Write a self-contained HTML report: summary, map, distribution,
    /// defining moments, where to invest and where not to
    Report {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Write the HTML here instead of standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Budget for a plan (as in `recommend`)
        #[arg(long)]
        budget: Option<f64>,
        /// Draw at most this many touchpoints on the map
        #[arg(long, default_value_t = 200)]
        max_touchpoints: usize,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Convert a journey: to JSON (e.g. from Mermaid or CSV), Mermaid
    /// `journey`, CSV or Graphviz DOT
    Convert {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Target format
        #[arg(long, value_enum)]
        to: Target,
        /// Write here instead of standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Print the JSON Schema of the journey format
    Schema,
}

#[derive(clap::Args)]
struct ModelArgs {
    /// Memory model
    #[arg(long, short, default_value = "peak-end", value_parser = ["peak-end", "peak-pit-end", "mean", "weighted"])]
    model: String,
    /// Weights of the `weighted` model, e.g. peak=0.4,end=0.4,mean=0.2
    /// (features: peak, best, worst, end, first, mean, trend)
    #[arg(long)]
    weights: Option<String>,
    /// Monte Carlo samples, for figures that have no exact form
    /// [default: 20000, fewer for very long paths; the report says how many]
    #[arg(long)]
    samples: Option<usize>,
    /// Monte Carlo seed
    #[arg(long, default_value_t = peakend::analysis::DEFAULT_SEED)]
    seed: u64,
}

#[derive(clap::Args)]
struct ThresholdArgs {
    /// Peak moment: remembered peak for at least this share of customers
    #[arg(long, default_value_t = 0.10)]
    peak_share: f64,
    /// End moment: at least this share of journeys end there
    #[arg(long, default_value_t = 0.10)]
    end_share: f64,
    /// Pit: negative, with intensity at least this fraction of neutral..min
    #[arg(long, default_value_t = 0.5)]
    pit_intensity: f64,
    /// Missed moment: transition or milestone with intensity at most this
    /// fraction of the way from neutral to the nearer end of the scale
    #[arg(long, default_value_t = 0.2)]
    missed_intensity: f64,
    /// Forgettable: |memory weight| at most this
    #[arg(long, default_value_t = 0.01)]
    forgettable_weight: f64,
}

impl ThresholdArgs {
    fn thresholds(&self) -> Thresholds {
        Thresholds::new()
            .peak_share(self.peak_share)
            .end_share(self.end_share)
            .pit_intensity(self.pit_intensity)
            .missed_intensity(self.missed_intensity)
            .forgettable_weight(self.forgettable_weight)
    }
}

#[derive(clap::Args)]
struct OutArgs {
    /// Output format
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    Json,
    Mermaid,
    Csv,
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// A failure that has already been reported to stderr; carries the exit code.
#[derive(Debug)]
struct Exit(u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

fn reported(code: u8) -> anyhow::Error {
    anyhow::Error::new(Exit(code))
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let _ = INPUT.set(cli.input.clone());
    // Operations of `simulate` apply in the order they were given.
    let order = matches
        .subcommand_matches("simulate")
        .map(|m| {
            let mut v: Vec<(usize, &'static str, usize)> = Vec::new();
            for name in ["set", "shift", "append", "remove", "probability"] {
                if let Some(ix) = m.indices_of(name) {
                    for (k, i) in ix.enumerate() {
                        v.push((i, name, k));
                    }
                }
            }
            v.sort();
            v.into_iter().map(|(_, n, k)| (n, k)).collect::<Vec<_>>()
        })
        .unwrap_or_default();
    match run(cli, &order) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast::<Exit>() {
            Ok(Exit(code)) => ExitCode::from(code),
            Err(e) => {
                eprintln!("peakend: error: {e:#}");
                ExitCode::from(1)
            }
        },
    }
}

fn read_input(file: &str) -> anyhow::Result<String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))
    }
}

fn display_name(file: &str) -> &str {
    if file == "-" { "<stdin>" } else { file }
}

/// Load a journey (JSON, Mermaid or CSV), printing every problem to
/// stderr; an import's warnings too, unless the caller prints the
/// journey's warnings itself.
fn load(file: &str) -> anyhow::Result<Result<Journey, ()>> {
    load_quiet(file, false)
}

fn load_quiet(file: &str, quiet: bool) -> anyhow::Result<Result<Journey, ()>> {
    use peakend::import::{self, Format};
    let text = read_input(file)?;
    let name = display_name(file);
    let input = INPUT.get().cloned().unwrap_or(InputArgs {
        input_format: InputFormat::Auto,
        scale: None,
    });
    let format = match input.input_format {
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
    let mut csv_options = import::CsvOptions::new();
    if let Some(s) = &input.scale {
        let v: Vec<Option<f64>> = s.split(',').map(|x| x.trim().parse().ok()).collect();
        match v.as_slice() {
            [Some(a), Some(b), Some(c)] => csv_options = csv_options.scale(*a, *b, *c),
            [Some(a), Some(b)] => csv_options = csv_options.scale(*a, *b, (a + b) / 2.0),
            _ => {
                eprintln!("peakend: error: --scale {s}: expected MIN,MAX,NEUTRAL (numbers)");
                return Err(reported(2));
            }
        }
        if format != Format::Csv {
            eprintln!(
                "peakend: error: --scale is for CSV input (JSON and Mermaid files carry their scale)"
            );
            return Err(reported(2));
        }
    }
    let result = match format {
        Format::Json => Journey::from_json_str(&text),
        Format::Mermaid => import::mermaid(&text, &stem).and_then(|i| i.into_journey()),
        Format::Csv => import::csv(&text, &stem, &csv_options).and_then(|i| i.into_journey()),
    };
    match result {
        Ok(j) => {
            if format != Format::Json && !quiet {
                let mut err = std::io::stderr().lock();
                for w in j.warnings() {
                    let _ = writeln!(err, "{name}:{}", located(w));
                }
            }
            Ok(Ok(j))
        }
        Err(e) => {
            let mut err = std::io::stderr().lock();
            for p in &e.problems {
                let _ = writeln!(err, "{name}:{}", located(p));
            }
            let n = e.errors().count();
            let _ = writeln!(
                err,
                "{name}: invalid journey ({n} error{})",
                if n == 1 { "" } else { "s" }
            );
            Ok(Err(()))
        }
    }
}

fn located(p: &peakend::Problem) -> String {
    let kind = if p.is_warning() { "warning" } else { "error" };
    let place = match (p.line, p.column) {
        (Some(l), Some(c)) => format!("{l}:{c}: "),
        (Some(l), None) => format!("{l}: "),
        _ => " ".to_string(),
    };
    let path = if p.path.is_empty() {
        String::new()
    } else {
        format!("{}: ", p.path)
    };
    format!("{place}{kind}: {path}{}", p.message)
}

fn run(cli: Cli, order: &[(&str, usize)]) -> anyhow::Result<()> {
    match cli.command {
        Command::Schema => {
            print!("{}", peakend::spec::json_schema());
            Ok(())
        }
        Command::Validate { files } => {
            let mut failed = false;
            for file in &files {
                match load_quiet(file, true)? {
                    Ok(j) => {
                        for w in j.warnings() {
                            eprintln!("{}:{}", display_name(file), located(w));
                        }
                        println!(
                            "{}: ok ({} touchpoint{}, {} transition{})",
                            display_name(file),
                            j.len(),
                            plural(j.len()),
                            j.transition_count(),
                            plural(j.transition_count())
                        );
                    }
                    Err(()) => failed = true,
                }
            }
            if failed { Err(reported(1)) } else { Ok(()) }
        }
        Command::Analyze {
            file,
            model,
            thresholds,
            out,
        } => {
            let Some((analysis, m)) = load_with_moments(&file, &model, &thresholds)? else {
                return Err(reported(1));
            };
            emit(match out.format {
                Format::Json => report::json_with_moments(&analysis, &m),
                Format::Text => {
                    let st = style(out.color);
                    format!(
                        "{}\n{}",
                        report::text(&analysis, st),
                        report::moments_text(&m, st)
                    )
                }
            });
            Ok(())
        }
        Command::Simulate {
            file,
            set,
            shift,
            append,
            remove,
            probability,
            model,
            thresholds,
            out,
        } => run_simulate(
            &file,
            [&set, &shift, &append, &remove, &probability],
            order,
            &model,
            &thresholds,
            &out,
        ),
        Command::Render {
            file,
            output,
            max_touchpoints,
            model,
            thresholds,
        } => {
            check_max_touchpoints(max_touchpoints)?;
            let Some((journey, analysis)) = load_and_analyze(&file, &model)? else {
                return Err(reported(1));
            };
            let m = moments::find(&journey, &analysis, &thresholds.thresholds());
            let map = peakend::render::MapOptions::new().max_touchpoints(max_touchpoints);
            write_output(
                output.as_deref(),
                peakend::render::map_svg(&journey, &analysis, &m, &map),
            )
        }
        Command::Report {
            file,
            output,
            budget,
            max_touchpoints,
            model,
            thresholds,
        } => {
            check_budget(budget)?;
            check_max_touchpoints(max_touchpoints)?;
            let Some((journey, analysis)) = load_and_analyze(&file, &model)? else {
                return Err(reported(1));
            };
            let t = thresholds.thresholds();
            let m = moments::find(&journey, &analysis, &t);
            let opts = peakend::recommend::RecommendOptions {
                analysis: options(&model),
                thresholds: t,
                budget,
            };
            let r = peakend::recommend::recommend(&journey, &parse_model(&model)?, &opts);
            let report = peakend::render::ReportOptions::new()
                .map(peakend::render::MapOptions::new().max_touchpoints(max_touchpoints))
                .source(display_name(&file));
            write_output(
                output.as_deref(),
                peakend::render::html_report(&journey, &analysis, &m, &r, &report),
            )
        }
        Command::Convert {
            file,
            to,
            output,
            model,
            thresholds,
        } => {
            let m = parse_model(&model)?;
            let Ok(journey) = load(&file)? else {
                return Err(reported(1));
            };
            let (text, warnings) = match to {
                Target::Json => (journey.spec().to_json(), Vec::new()),
                Target::Mermaid => {
                    let e = peakend::export::mermaid(&journey);
                    (e.text, e.warnings)
                }
                Target::Csv => {
                    let e = peakend::export::csv(&journey);
                    (e.text, e.warnings)
                }
                Target::Dot => {
                    // Only the picture needs the analysis.
                    let analysis = analyze(&journey, &m, &options(&model));
                    let found = moments::find(&journey, &analysis, &thresholds.thresholds());
                    (
                        peakend::export::dot(&journey, &analysis, &found),
                        Vec::new(),
                    )
                }
            };
            for w in warnings {
                eprintln!("{}: warning: {w}", display_name(&file));
            }
            write_output(output.as_deref(), text)
        }
        Command::Recommend {
            file,
            budget,
            model,
            thresholds,
            out,
        } => {
            check_budget(budget)?;
            let m = parse_model(&model)?;
            let Ok(journey) = load(&file)? else {
                return Err(reported(1));
            };
            let opts = peakend::recommend::RecommendOptions {
                analysis: options(&model),
                thresholds: thresholds.thresholds(),
                budget,
            };
            let r = peakend::recommend::recommend(&journey, &m, &opts);
            emit(match out.format {
                Format::Json => report::pretty_json(&r),
                Format::Text => {
                    report::recommendations_text(&r, display_name(&file), style(out.color))
                }
            });
            Ok(())
        }
        Command::Moments {
            file,
            model,
            thresholds,
            out,
        } => {
            let Some((_, m)) = load_with_moments(&file, &model, &thresholds)? else {
                return Err(reported(1));
            };
            emit(match out.format {
                Format::Json => report::pretty_json(&m),
                Format::Text => report::moments_text(&m, style(out.color)),
            });
            Ok(())
        }
    }
}

fn run_simulate(
    file: &str,
    lists: [&[String]; 5],
    order: &[(&str, usize)],
    model: &ModelArgs,
    thresholds: &ThresholdArgs,
    out: &OutArgs,
) -> anyhow::Result<()> {
    use peakend::simulate::{Operation, simulate};
    let mut ops = Vec::new();
    for &(name, k) in order {
        type Parse = fn(&str) -> Result<Operation, String>;
        let (list, parse): (&[String], Parse) = match name {
            "set" => (lists[0], Operation::parse_set),
            "shift" => (lists[1], Operation::parse_shift),
            "append" => (lists[2], Operation::parse_append),
            "remove" => (lists[3], |s| {
                Ok(Operation::Remove {
                    id: s.trim().into(),
                })
            }),
            _ => (lists[4], Operation::parse_probability),
        };
        match parse(&list[k]) {
            Ok(op) => ops.push(op),
            Err(e) => {
                eprintln!("peakend: error: --{name} {}: {e}", list[k]);
                return Err(reported(2));
            }
        }
    }
    let m = parse_model(model)?;
    let Ok(journey) = load(file)? else {
        return Err(reported(1));
    };
    match simulate(
        &journey,
        &ops,
        &m,
        &options(model),
        &thresholds.thresholds(),
    ) {
        Ok(s) => {
            emit(match out.format {
                Format::Json => report::pretty_json(&s),
                Format::Text => report::simulation_text(&s, style(out.color)),
            });
            Ok(())
        }
        Err(e) => {
            eprintln!("{}: error: {e}", display_name(file));
            Err(reported(1))
        }
    }
}

fn parse_model(args: &ModelArgs) -> anyhow::Result<Model> {
    match Model::from_name(&args.model, args.weights.as_deref()) {
        Ok(m) => Ok(m),
        Err(e) => {
            eprintln!("peakend: error: {e}");
            Err(reported(2))
        }
    }
}

fn options(args: &ModelArgs) -> Options {
    let mut options = Options::new().seed(args.seed);
    if let Some(n) = args.samples {
        options = options.samples(n);
    }
    options
}

/// Load, analyse and find the moments (problems exit 1, usage errors 2).
fn load_with_moments(
    file: &str,
    model: &ModelArgs,
    thresholds: &ThresholdArgs,
) -> anyhow::Result<Option<(peakend::Analysis, moments::Moments)>> {
    Ok(load_and_analyze(file, model)?.map(|(journey, analysis)| {
        let m = moments::find(&journey, &analysis, &thresholds.thresholds());
        (analysis, m)
    }))
}

/// Parse the model (usage errors exit 2), load the journey (problems exit
/// 1) and analyse it.
fn load_and_analyze(
    file: &str,
    args: &ModelArgs,
) -> anyhow::Result<Option<(Journey, peakend::Analysis)>> {
    let model = parse_model(args)?;
    let Ok(journey) = load(file)? else {
        return Ok(None);
    };
    let analysis = analyze(&journey, &model, &options(args));
    Ok(Some((journey, analysis)))
}

fn check_budget(budget: Option<f64>) -> anyhow::Result<()> {
    if let Some(b) = budget
        && !(b.is_finite() && b >= 0.0)
    {
        eprintln!("peakend: error: --budget {b} is not a budget (finite, 0 or more)");
        return Err(reported(2));
    }
    Ok(())
}

fn check_max_touchpoints(n: usize) -> anyhow::Result<()> {
    if n < 2 {
        eprintln!("peakend: error: --max-touchpoints {n}: a map needs at least 2 touchpoints");
        return Err(reported(2));
    }
    Ok(())
}

/// Write to the named file, or to standard output without one.
fn write_output(path: Option<&str>, out: String) -> anyhow::Result<()> {
    match path {
        None | Some("-") => {
            emit(out);
            Ok(())
        }
        Some(p) => std::fs::write(p, out).with_context(|| format!("cannot write {p}")),
    }
}

fn emit(out: String) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth a message.
    let _ = stdout.write_all(out.as_bytes());
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn style(choice: ColorChoice) -> Style {
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

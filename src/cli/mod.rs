//! The command line: clap arguments ([`Cli`]), one function per command
//! (`commands`), and reading and writing (`io`). Library work — loading any
//! format, analysing, rendering — is the library's; this module only
//! connects it to files, flags and exit codes.

/// `eprintln!` with the control characters that file text may carry shown
/// escaped (`\u{1b}`): a log's cell cannot drive the terminal.
macro_rules! say {
    ($($t:tt)*) => {
        eprintln!("{}", peakend::render::terminal_safe(format!($($t)*), false))
    };
}

mod calibrate;
mod commands;
mod io;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use peakend::Thresholds;
use std::process::ExitCode;

/// Run the tool: parse the arguments, run the command, map failures to
/// exit codes (1: the input is wrong, 2: the usage is wrong).
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
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
    match commands::run(cli, &order) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => io::exit_code(e),
    }
}

/// What customers will remember: peak-end analysis of customer journeys.
#[derive(Parser)]
#[command(name = "peakend", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    #[command(flatten)]
    pub(crate) input: InputArgs,
}

/// How journey files are read (for every command that reads one).
#[derive(clap::Args, Clone)]
pub(crate) struct InputArgs {
    /// Format of the journey file: auto (by extension: .mmd/.mermaid
    /// Mermaid, .csv/.tsv CSV, else JSON), json, mermaid or csv
    #[arg(long, global = true, value_enum, default_value_t = InputFormat::Auto)]
    pub(crate) input_format: InputFormat,
    /// Emotion scale of a CSV sheet: MIN,MAX,NEUTRAL [default: -10,10,0]
    #[arg(
        long,
        global = true,
        value_name = "MIN,MAX,NEUTRAL",
        allow_hyphen_values = true
    )]
    pub(crate) scale: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormat {
    Auto,
    Json,
    Mermaid,
    Csv,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
        persona: PersonaArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        #[command(flatten)]
        evidence: EvidenceArgs,
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
        persona: PersonaArgs,
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
        persona: PersonaArgs,
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
        persona: PersonaArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Draw the journey map as SVG: what customers will remember, at a glance
    Render {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Write the SVG here instead of standard output (a file is replaced
        /// only once complete, via a temporary file beside it; a device or FIFO is written
        /// through; a symbolic link keeps pointing where it did)
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Let `--output` overwrite the input journey
        #[arg(long)]
        force: bool,
        /// Draw at most this many touchpoints; a longer journey is collapsed
        /// (defining moments, the main route, then the most visited)
        #[arg(long, default_value_t = 200)]
        max_touchpoints: usize,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        persona: PersonaArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Write a self-contained HTML report: summary, map, distribution,
    /// defining moments, where to invest and where not to
    Report {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Write the HTML here instead of standard output (a file is replaced
        /// only once complete, via a temporary file beside it; a device or FIFO is written
        /// through; a symbolic link keeps pointing where it did)
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Let `--output` overwrite the input journey
        #[arg(long)]
        force: bool,
        /// Budget for a plan (as in `recommend`)
        #[arg(long)]
        budget: Option<f64>,
        /// Draw at most this many touchpoints on the map
        #[arg(long, default_value_t = 200)]
        max_touchpoints: usize,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        persona: PersonaArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
        #[command(flatten)]
        evidence: EvidenceArgs,
    },
    /// Convert a journey: to JSON (e.g. from Mermaid or CSV), Mermaid
    /// `journey`, CSV or Graphviz DOT
    Convert {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// Target format
        #[arg(long, value_enum)]
        to: Target,
        /// Which path Mermaid and CSV write of a branching journey: the main
        /// route (the busiest transition at each step), the most likely
        /// complete path, or the best or worst remembered one
        #[arg(long, value_enum, default_value_t = PathChoice::Main)]
        path: PathChoice,
        /// Write here instead of standard output (a file is replaced
        /// only once complete, via a temporary file beside it; a device or FIFO is written
        /// through; a symbolic link keeps pointing where it did)
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Let `--output` overwrite the input journey
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        persona: PersonaArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Discover a journey from an event log (CSV or XES): one touchpoint
    /// per activity, transitions with observed counts and probabilities,
    /// emotions from customers' ratings of the moments
    Discover {
        /// Event log: CSV with a case and an activity column, usually a
        /// timestamp; or XES (`.xes`, `.xes.gz`), told by its first bytes
        /// (`-` reads standard input). In XES, COLUMN names an attribute
        log: String,
        /// Write the journey here instead of standard output (a file is replaced
        /// only once complete, via a temporary file beside it; a device or FIFO is written
        /// through; a symbolic link keeps pointing where it did)
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Let `--output` overwrite the log
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        columns: LogColumnArgs,
        /// The scale of the log's ratings, MIN,MAX (rescaled to the journey's
        /// −10..10) [default: ratings are on −10..10 already]
        #[arg(long, value_name = "MIN,MAX", value_parser = rating_scale, allow_hyphen_values = true)]
        rating_scale: Option<(f64, f64)>,
        /// Leave out touchpoints fewer than this share of customers pass,
        /// with those customers (the summary says how many)
        #[arg(long, default_value_t = 0.0, value_parser = share)]
        min_share: f64,
        /// The journey's name [default: the log's file name]
        #[arg(long)]
        name: Option<String>,
        /// A case table (CSV: `case`, and any of `outcome`, `value`,
        /// `account`, `overall`): each case's outcome ends its journey
        #[arg(long = "cases", visible_alias = "case-table", value_name = "FILE")]
        case_table: Option<String>,
        /// A designed journey (JSON, Mermaid or CSV) to discover onto:
        /// matched activities take its ids and names, and where the log is
        /// silent its emotions, stages, channels and owners
        #[arg(long, value_name = "DESIGN")]
        onto: Option<String>,
        /// With --onto: a CSV mapping the log's activities onto the
        /// design's touchpoints (`activity`, `touchpoint`: id or name)
        #[arg(long, value_name = "FILE", requires = "onto")]
        mapping: Option<String>,
    },
    /// Synthetic customers: an event log (CSV or XES) drawn from a journey, with
    /// ratings from its emotions plus seeded noise; `discover` reads it
    Sample {
        /// Journey file: JSON, Mermaid (.mmd) or CSV (`-` reads standard input)
        file: String,
        /// How many cases (customers)
        #[arg(long, default_value_t = 1000, value_parser = case_count)]
        cases: u64,
        /// The seed: the same seed writes the same log
        #[arg(long, default_value_t = peakend::DEFAULT_SEED)]
        seed: u64,
        /// Write the log here instead of standard output (a file is replaced
        /// only once complete, via a temporary file beside it; a device or FIFO is written
        /// through; a symbolic link keeps pointing where it did)
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Let `--output` or `--case-table` overwrite the input journey
        #[arg(long)]
        force: bool,
        /// Also write a case table here: case, overall (the memory model's
        /// remembered score on the rating scale, plus the noise), outcome
        #[arg(long, value_name = "FILE")]
        case_table: Option<String>,
        /// Standard deviation of the noise on every rating, in rating units
        #[arg(long, default_value_t = 0.5, value_parser = non_negative)]
        noise: f64,
        /// The share of events that carry a rating
        #[arg(long, default_value_t = 1.0, value_parser = share)]
        rated: f64,
        /// Minutes between the starts of consecutive cases (their events
        /// interleave in the log)
        #[arg(long, value_name = "MINUTES", default_value_t = 60.0, value_parser = non_negative)]
        gap: f64,
        /// The log's rating scale, MIN,MAX
        #[arg(long, value_name = "MIN,MAX", default_value = "1,5", value_parser = rating_scale, allow_hyphen_values = true)]
        rating_scale: (f64, f64),
        /// The ground truth: the memory model that makes each case's
        /// overall rating from the moments as that customer felt them
        /// (peak-end, peak-pit-end, mean, weighted, or a model file from
        /// `peakend fit -o`)
        #[arg(long, short, default_value = "peak-end")]
        model: String,
        /// Weights of the `weighted` model, e.g. peak=0.4,end=0.4,mean=0.2
        #[arg(long)]
        weights: Option<String>,
        /// The log's format [default: xes when --output ends in .xes or
        /// .xes.gz, else csv]; an --output ending in .gz is compressed
        #[arg(long, value_parser = ["csv", "xes"])]
        format: Option<String>,
        /// Sample the customers as this persona lives the journey: its
        /// touchpoints, its own emotions (docs/personas.md)
        #[arg(long, value_name = "NAME")]
        persona: Option<String>,
        /// Draw the cases into this many accounts (the case table's
        /// `account` column; `fit` groups its folds by it)
        #[arg(long, value_name = "N", value_parser = case_count)]
        accounts: Option<u64>,
    },
    /// Fit the memory model to customers' own ratings: per case, the rated
    /// moments of the log against the case table's overall rating, models
    /// compared out of sample; with outcomes, memory linked to them
    /// (docs/fit.md). `-o` writes the chosen model for `--model FILE`
    Fit {
        /// Event log with moment ratings: CSV or XES (`-` reads standard
        /// input)
        log: String,
        /// The case table (CSV): `case`, `overall` (the retrospective
        /// rating), and any of `account` (folds are grouped by it),
        /// `outcome` (renewed / churned …) and `value`
        #[arg(long = "cases", visible_alias = "case-table", value_name = "FILE")]
        case_table: String,
        #[command(flatten)]
        columns: LogColumnArgs,
        /// The scale of the log's moment ratings, MIN,MAX (rescaled to the
        /// journey scale −10..10) [default: ratings are on −10..10 already]
        #[arg(long, value_name = "MIN,MAX", value_parser = rating_scale, allow_hyphen_values = true)]
        rating_scale: Option<(f64, f64)>,
        /// Folds of the cross-validation (grouped by account)
        #[arg(long, default_value_t = 5)]
        folds: usize,
        /// Repeats of the cross-validation, each with new folds
        #[arg(long, default_value_t = 5)]
        repeats: usize,
        /// Seed of the folds and the bootstrap
        #[arg(long, default_value_t = peakend::DEFAULT_SEED)]
        seed: u64,
        /// Bootstrap resamples (of accounts) for the weights' intervals
        #[arg(long, default_value_t = 1000)]
        bootstrap: usize,
        /// The outcome to predict [default: the one that reads as a
        /// success: renewed, won, yes, 1 …]
        #[arg(long, value_name = "OUTCOME")]
        positive: Option<String>,
        /// Use this model whatever the comparison says
        #[arg(long = "use", value_name = "MODEL", value_parser = ["mean", "peak-end", "peak-pit-end", "end", "peak", "fitted"])]
        choose: Option<String>,
        /// Without overall ratings: the memory model outcomes are linked
        /// with
        #[arg(long, short, default_value = "peak-end", value_name = "MODEL|FILE")]
        model: String,
        /// Weights of the `weighted` model
        #[arg(long)]
        weights: Option<String>,
        /// Write the chosen model here (JSON), for `--model FILE` on every
        /// command (written to a temporary file beside it and renamed into
        /// place when complete)
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Let `--output` overwrite the log or the case table
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        out: OutArgs,
    },
    /// The delivery gap: the supplier's journey against the customers'
    /// (per touchpoint, what each view says is remembered, whose memory
    /// changes sign, which advice holds in both)
    Gap {
        /// The supplier's journey (what the supplier believes)
        supplier: String,
        /// The customers' journey (measured, surveyed or discovered)
        customer: String,
        /// A CSV pairing touchpoints (`supplier`, `customer`: id or name
        /// each) before ids and names do
        #[arg(long, value_name = "FILE")]
        mapping: Option<String>,
        /// Output format
        #[arg(long, short = 'f', value_parser = ["text", "json", "html"], default_value = "text")]
        format: String,
        /// Write here instead of standard output (a file is replaced
        /// only once complete, via a temporary file beside it; a device or FIFO is written
        /// through; a symbolic link keeps pointing where it did)
        #[arg(long, short, value_name = "FILE")]
        output: Option<String>,
        /// Let `--output` overwrite an input journey
        #[arg(long)]
        force: bool,
        /// Compare the two journeys as this persona lives them (a persona
        /// of both files; docs/personas.md)
        #[arg(long, value_name = "NAME")]
        persona: Option<String>,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Print the JSON Schema of the journey format
    Schema,
}

/// A number of cases: 1 to 100,000,000.
fn case_count(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=100_000_000).contains(&n) => Ok(n),
        _ => Err(format!("`{s}` is not a number of cases (1 to 100000000)")),
    }
}

/// Which columns of an event log hold what [default: found by their usual
/// names, XES first: `case:concept:name`/`case`, `concept:name`/`activity`,
/// `time:timestamp`/`timestamp`, `rating`, `stage`, `channel`,
/// `owner`/`org:group`, `lifecycle:transition`; docs/discovery.md]
#[derive(clap::Args)]
pub(crate) struct LogColumnArgs {
    /// The case column
    #[arg(long, value_name = "COLUMN")]
    pub(crate) case: Option<String>,
    /// The activity column
    #[arg(long, value_name = "COLUMN")]
    pub(crate) activity: Option<String>,
    /// The timestamp column
    #[arg(long, value_name = "COLUMN")]
    pub(crate) time: Option<String>,
    /// The rating column (a customer's rating of the moment)
    #[arg(long, value_name = "COLUMN")]
    pub(crate) rating: Option<String>,
    /// The stage column
    #[arg(long, value_name = "COLUMN")]
    pub(crate) stage: Option<String>,
    /// The channel column
    #[arg(long, value_name = "COLUMN")]
    pub(crate) channel: Option<String>,
    /// The owning team's column
    #[arg(long, value_name = "COLUMN")]
    pub(crate) owner: Option<String>,
    /// The lifecycle column (`start`, `complete`, …): only `complete`
    /// events count, the others are counted as skipped
    #[arg(long, value_name = "COLUMN")]
    pub(crate) lifecycle: Option<String>,
    /// A CSV log's separator: one character, or `tab` [default: the one a
    /// first line `sep=X` names, else the one of comma, semicolon, tab and
    /// bar that splits the header and the first rows alike]
    #[arg(long, value_name = "CHAR", value_parser = delimiter)]
    pub(crate) delimiter: Option<u8>,
}

/// A CSV separator: one ASCII character other than a quote, a line break
/// or a letter or digit; or `tab`.
fn delimiter(s: &str) -> Result<u8, String> {
    let b = match s {
        "tab" | "\\t" | "\t" => b'\t',
        _ if s.len() == 1 => s.as_bytes()[0],
        _ => return Err(format!("`{s}` is not one character (e.g. ; or tab)")),
    };
    if b == b'"' || b == b'\n' || b == b'\r' || b.is_ascii_alphanumeric() || !b.is_ascii() {
        return Err(format!("`{s}` cannot separate cells (e.g. , ; | or tab)"));
    }
    Ok(b)
}

impl LogColumnArgs {
    /// The columns as the library's log options.
    pub(crate) fn options(&self) -> peakend::observe::LogOptions {
        let mut read = peakend::observe::LogOptions::new();
        for (role, column) in [
            ("case", &self.case),
            ("activity", &self.activity),
            ("time", &self.time),
            ("rating", &self.rating),
            ("stage", &self.stage),
            ("channel", &self.channel),
            ("owner", &self.owner),
            ("lifecycle", &self.lifecycle),
        ] {
            if let Some(c) = column {
                read = read.column(role, c.clone());
            }
        }
        if let Some(d) = self.delimiter {
            read = read.delimiter(d);
        }
        read
    }
}

/// A rating scale: MIN,MAX, MIN below MAX, both within
/// ±[`peakend::observe::MAX_RATING`] (ratings are on a human scale; a
/// span past it overflows what it is rescaled with).
fn rating_scale(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if let [a, b] = parts[..]
        && let (Ok(a), Ok(b)) = (a.parse::<f64>(), b.parse::<f64>())
        && a < b
    {
        return peakend::observe::check_rating_scale(a, b).map(|()| (a, b));
    }
    Err(format!(
        "`{s}` is not a rating scale (MIN,MAX with MIN below MAX, e.g. 1,5)"
    ))
}

#[derive(clap::Args)]
pub(crate) struct ModelArgs {
    /// Memory model: peak-end, peak-pit-end, mean, weighted, or a model
    /// file written by `peakend fit -o` (docs/fit.md)
    #[arg(long, short, default_value = "peak-end", value_name = "MODEL|FILE")]
    pub(crate) model: String,
    /// Weights of the `weighted` model, e.g. peak=0.4,end=0.4,mean=0.2
    /// (features: peak, best, worst, end, first, mean, trend)
    #[arg(long)]
    pub(crate) weights: Option<String>,
    /// Monte Carlo samples, for figures that have no exact form
    /// [default: 20000, fewer for very long paths; the report says how many]
    #[arg(long, value_parser = sample_count)]
    pub(crate) samples: Option<usize>,
    /// Monte Carlo seed
    #[arg(long, default_value_t = peakend::DEFAULT_SEED)]
    pub(crate) seed: u64,
    /// The step ratings are given in, for the advice (a modest raise is at
    /// least one step) [default: inferred from the journey: the largest of
    /// 1, 0.5, 0.25, 0.2, 0.1, 0.05, 0.01 that every emotion is a multiple
    /// of, else 1% of the scale]
    #[arg(long, value_name = "STEP")]
    pub(crate) resolution: Option<f64>,
    /// Which moment is the peak when a negative and a positive one are
    /// exactly equally intense [default: the journey's `scale.ties`, else
    /// negative; see docs/ties.md]
    #[arg(long, value_parser = ["negative", "positive"])]
    pub(crate) ties: Option<String>,
}

/// The buying centre: one persona's journey, and the account's rule.
#[derive(clap::Args)]
pub(crate) struct PersonaArgs {
    /// The journey as this persona lives it: its touchpoints along the
    /// same branches, its own emotions; `simulate` and `recommend` act on
    /// the whole journey and report this persona's memory (docs/personas.md)
    #[arg(long, value_name = "NAME")]
    pub(crate) persona: Option<String>,
    /// How the account's memory is made from the personas': their
    /// weight-averaged memories, the decision maker's, or the worst one
    #[arg(long, value_name = "RULE", default_value = "weighted", value_parser = ["weighted", "decision-maker", "min"])]
    pub(crate) account: String,
}

/// How uncertain the ratings are: the evidence interval.
#[derive(clap::Args)]
pub(crate) struct EvidenceArgs {
    /// Monte Carlo draws for the interval of the remembered experience
    /// from the ratings' uncertainty (0: none; seeded with --seed)
    #[arg(long, value_name = "N", default_value_t = 200, value_parser = draw_count)]
    pub(crate) interval_draws: usize,
    /// The uncertainty of an assumed emotion (standard error, in the
    /// journey's units) [default: a quarter of the scale's range]
    #[arg(long, value_name = "SD", value_parser = non_negative)]
    pub(crate) assumed_sd: Option<f64>,
}

/// A number of interval draws: 0 to 100,000.
fn draw_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n <= 100_000 => Ok(n),
        _ => Err(format!("`{s}` is not a number of draws (0 to 100000)")),
    }
}

/// A share or fraction: a finite number from 0 to 1.
fn share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a share (a number from 0 to 1)")),
    }
}

/// A finite number, 0 or more.
fn non_negative(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a finite number of 0 or more")),
    }
}

/// A number of Monte Carlo samples: 1 to [`peakend::MAX_SAMPLES`].
fn sample_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=peakend::MAX_SAMPLES).contains(&n) => Ok(n),
        _ => Err(format!(
            "`{s}` is not a number of samples (1 to {})",
            peakend::MAX_SAMPLES
        )),
    }
}

#[derive(clap::Args)]
pub(crate) struct ThresholdArgs {
    /// Peak moment: remembered peak for at least this share of customers
    #[arg(long, default_value_t = 0.10, value_parser = share)]
    pub(crate) peak_share: f64,
    /// End moment: at least this share of journeys end there
    #[arg(long, default_value_t = 0.10, value_parser = share)]
    pub(crate) end_share: f64,
    /// Pit: negative, with intensity at least this fraction of neutral..min
    #[arg(long, default_value_t = 0.5, value_parser = share)]
    pub(crate) pit_intensity: f64,
    /// Missed moment: transition or milestone with intensity at most this
    /// fraction of the way from neutral to the nearer end of the scale
    #[arg(long, default_value_t = 0.2, value_parser = share)]
    pub(crate) missed_intensity: f64,
    /// Forgettable: |memory weight| at most this
    #[arg(long, default_value_t = 0.01, value_parser = non_negative)]
    pub(crate) forgettable_weight: f64,
}

impl ThresholdArgs {
    pub(crate) fn thresholds(&self) -> Thresholds {
        Thresholds::new()
            .peak_share(self.peak_share)
            .end_share(self.end_share)
            .pit_intensity(self.pit_intensity)
            .missed_intensity(self.missed_intensity)
            .forgettable_weight(self.forgettable_weight)
    }
}

#[derive(clap::Args)]
pub(crate) struct OutArgs {
    /// Output format
    #[arg(long, short, value_enum, default_value_t = OutFormat::Text)]
    pub(crate) format: OutFormat,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub(crate) color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OutFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Target {
    Json,
    Mermaid,
    Csv,
    Dot,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum PathChoice {
    Main,
    MostLikely,
    Best,
    Worst,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

//! One function per command: load, ask the library, write the result.

use super::io::{
    Output, display_name, distinct_outputs, emit, load, model_of, one_stdin, open_input, plural,
    reported, style, usage,
};
use super::{
    Cli, Command, EvidenceArgs, InputArgs, LogColumnArgs, ModelArgs, OutArgs, OutFormat,
    PathChoice, PersonaArgs, Target, ThresholdArgs,
};
use peakend::Format;
use peakend::render;
use peakend::{Analysis, Analyzer, Journey, Objective, Operation, Options};
use peakend::{MapOptions, ReportOptions};

/// Run the command (`order`: `simulate`'s operations in command-line order).
pub(crate) fn run(cli: Cli, order: &[(&str, usize)]) -> anyhow::Result<()> {
    let input = &cli.input;
    match cli.command {
        Command::Schema => emit(peakend::json_schema()),
        command @ Command::Gap { .. } => gap_command(command, input),
        command @ Command::Fit { .. } => super::calibrate::fit_command(command),
        command @ (Command::Sample { .. } | Command::Discover { .. }) => observe(command, input),
        Command::Validate { files } => validate(&files, input),
        Command::Analyze {
            file,
            model,
            persona,
            thresholds,
            evidence,
            out,
        } => analyze(
            &file,
            input,
            (&model, &persona, &thresholds),
            &out,
            Some(&evidence),
        ),
        Command::Moments {
            file,
            model,
            persona,
            thresholds,
            out,
        } => analyze(&file, input, (&model, &persona, &thresholds), &out, None),
        Command::Simulate {
            file,
            set,
            shift,
            append,
            remove,
            probability,
            model,
            persona,
            thresholds,
            out,
        } => {
            let ops = operations([&set, &shift, &append, &remove, &probability], order)?;
            simulate(&file, input, &ops, (&model, &persona, &thresholds), &out)
        }
        Command::Recommend {
            file,
            budget,
            model,
            persona,
            thresholds,
            out,
        } => recommend(&file, input, budget, (&model, &persona, &thresholds), &out),
        Command::Render {
            file,
            output,
            force,
            max_touchpoints,
            model,
            persona,
            thresholds,
        } => render_map(
            &file,
            input,
            &Output::new(output, force, &file)?,
            max_touchpoints,
            (&model, &persona, &thresholds),
        ),
        Command::Report {
            file,
            output,
            force,
            budget,
            max_touchpoints,
            model,
            persona,
            thresholds,
            evidence,
        } => report(
            &file,
            input,
            &Output::new(output, force, &file)?,
            (budget, max_touchpoints),
            (&model, &persona, &thresholds, &evidence),
        ),
        Command::Convert {
            file,
            to,
            path,
            output,
            force,
            model,
            persona,
            thresholds,
        } => convert(
            &file,
            input,
            (to, path),
            &Output::new(output, force, &file)?,
            (&model, &persona, &thresholds),
        ),
    }
}

/// `analyze` (the analysis and its moments) and `moments` (the moments
/// alone).
fn analyze(
    file: &str,
    input: &InputArgs,
    (model, persona, thresholds): (&ModelArgs, &PersonaArgs, &ThresholdArgs),
    out: &OutArgs,
    evidence: Option<&EvidenceArgs>,
) -> anyhow::Result<()> {
    let p = prepare(file, input, (model, persona), thresholds)?;
    let (analyzer, journey, a) = (&p.analyzer, &p.journey, &p.analysis);
    let m = analyzer.moments(journey, a);
    let st = style(out.color);
    let personas = p.personas_text(st);
    let Some(args) = evidence else {
        return emit(match out.format {
            OutFormat::Json => render::pretty_json(&m),
            OutFormat::Text => noted(
                format!("{}{personas}", render::moments_text(&m, st)),
                analyzer,
            ),
        });
    };
    let o = analyzer.ownership(journey, a);
    let ev = analyzer.evidence(journey, a, &evidence_options(args, model.seed));
    emit(match out.format {
        OutFormat::Json => render::analysis_json(a, &m, &o, Some(&ev), p.personas.as_ref()),
        OutFormat::Text => format!(
            "{}\n{}{}\n{}{}",
            render::text(a, st),
            match personas.trim_start_matches('\n') {
                "" => String::new(),
                p => format!("{p}\n"),
            },
            render::evidence_text(&ev, &journey.scale(), st),
            render::moments_text(&m, st),
            render::ownership_text(&o, st)
        ),
    })
}

/// A text report with the model named at its end when it is a fitted
/// one (the reports without a model line would not say it otherwise).
fn noted(text: String, analyzer: &Analyzer) -> String {
    if analyzer.model().name() == "fitted" {
        format!("{text}\n{}\n", render::model_line(analyzer.model()))
    } else {
        text
    }
}

/// The evidence interval's options from the flags.
fn evidence_options(args: &EvidenceArgs, seed: u64) -> peakend::EvidenceOptions {
    let mut options = peakend::EvidenceOptions::new()
        .draws(args.interval_draws)
        .seed(seed);
    if let Some(sd) = args.assumed_sd {
        options = options.assumed_sd(sd);
    }
    options
}

fn simulate(
    file: &str,
    input: &InputArgs,
    ops: &[Operation],
    (model, persona, thresholds): (&ModelArgs, &PersonaArgs, &ThresholdArgs),
    out: &OutArgs,
) -> anyhow::Result<()> {
    let p = prepare_whole(file, input, (model, persona), thresholds)?;
    let st = style(out.color);
    let fail = |e: &dyn std::error::Error| {
        say!("{}: error: {e}", display_name(file));
        if let Some(source) = e.source() {
            say!("{source}");
        }
        Err(reported(1))
    };
    if let Some(name) = &persona.persona {
        return match p.analyzer.simulate_persona(&p.journey, name, ops) {
            Ok(s) => emit(match out.format {
                OutFormat::Json => render::pretty_json(&s),
                OutFormat::Text => {
                    noted(render::persona_simulation_text(&s, name, st), &p.analyzer)
                }
            }),
            Err(e) => fail(&e),
        };
    }
    let s = match p.analyzer.simulate(&p.journey, &p.analysis, ops) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let changes = match &p.personas {
        Some(before) => {
            let edited = peakend::apply(&p.journey, ops)?;
            let after = p
                .analyzer
                .personas(&edited, before.rule)
                .map_err(|e| persona_error(file, &e))?;
            Some((before, after))
        }
        None => None,
    };
    emit(match (out.format, changes) {
        (OutFormat::Json, changes) => {
            render::simulation_json(&s, changes.as_ref().map(|(b, a)| (*b, a)))
        }
        (OutFormat::Text, None) => noted(render::simulation_text(&s, st), &p.analyzer),
        (OutFormat::Text, Some((b, a))) => noted(
            format!(
                "{}{}",
                render::simulation_text(&s, st),
                render::persona_changes_text(b, &a, &p.journey.scale())
            ),
            &p.analyzer,
        ),
    })
}

fn recommend(
    file: &str,
    input: &InputArgs,
    budget: Option<f64>,
    (model, persona, thresholds): (&ModelArgs, &PersonaArgs, &ThresholdArgs),
    out: &OutArgs,
) -> anyhow::Result<()> {
    check_budget(budget)?;
    let p = prepare_whole(file, input, (model, persona), thresholds)?;
    let st = style(out.color);
    let scale = p.journey.scale();
    let advice = |objective: &Objective| -> anyhow::Result<Option<peakend::AccountAdvice>> {
        let Some(base) = &p.personas else {
            return Ok(None);
        };
        match p
            .analyzer
            .account_advice(&p.journey, &p.analysis, base, objective)
        {
            Ok(a) => Ok(Some(a)),
            Err(peakend::AdviceError::Account(_)) if *objective == Objective::Account => Ok(None),
            Err(e) if *objective == Objective::Account => {
                say!(
                    "{}: warning: no advice for the account: {e}",
                    display_name(file)
                );
                Ok(None)
            }
            Err(e) => {
                say!("{}: error: {e}", display_name(file));
                Err(reported(1))
            }
        }
    };
    if let Some(name) = &persona.persona {
        if budget.is_some() {
            return Err(usage(
                "--budget plans for the whole journey; it does not combine with --persona",
            ));
        }
        let Some(adv) = advice(&Objective::Persona(name.clone()))? else {
            return Err(usage("--persona: the journey lists no personas"));
        };
        return emit(match out.format {
            OutFormat::Json => render::account_advice_json(&adv),
            OutFormat::Text => noted(
                render::account_advice_text(&adv, file, &scale, st),
                &p.analyzer,
            ),
        });
    }
    let r = p.analyzer.recommend(&p.journey, &p.analysis, budget);
    let account = advice(&Objective::Account)?;
    emit(match (out.format, account) {
        (OutFormat::Json, account) => render::recommendations_json_with(&r, account.as_ref()),
        (OutFormat::Text, None) => noted(render::recommendations_text(&r, file, st), &p.analyzer),
        (OutFormat::Text, Some(adv)) => noted(
            format!(
                "{}\n{}",
                render::recommendations_text(&r, file, st),
                render::account_advice_text(&adv, file, &scale, st)
            ),
            &p.analyzer,
        ),
    })
}

fn render_map(
    file: &str,
    input: &InputArgs,
    output: &Output,
    max_touchpoints: usize,
    (model, persona, thresholds): (&ModelArgs, &PersonaArgs, &ThresholdArgs),
) -> anyhow::Result<()> {
    check_max_touchpoints(max_touchpoints)?;
    let p = prepare(file, input, (model, persona), thresholds)?;
    let m = p.analyzer.moments(&p.journey, &p.analysis);
    let map = MapOptions::new().max_touchpoints(max_touchpoints);
    output.write(match &p.personas {
        Some(personas) => render::map_svg_personas(&p.journey, &p.analysis, &m, personas, &map),
        None => render::map_svg(&p.journey, &p.analysis, &m, &map),
    })
}

fn report(
    file: &str,
    input: &InputArgs,
    output: &Output,
    (budget, max_touchpoints): (Option<f64>, usize),
    (model, persona, thresholds, evidence): (
        &ModelArgs,
        &PersonaArgs,
        &ThresholdArgs,
        &EvidenceArgs,
    ),
) -> anyhow::Result<()> {
    check_budget(budget)?;
    check_max_touchpoints(max_touchpoints)?;
    let whole = prepare_whole(file, input, (model, persona), thresholds)?;
    let analyzer = &whole.analyzer;
    let mut report = ReportOptions::new()
        .map(MapOptions::new().max_touchpoints(max_touchpoints))
        .source(display_name(file));
    let advice = |objective: Objective| {
        whole.personas.as_ref().and_then(|base| {
            analyzer
                .account_advice(&whole.journey, &whole.analysis, base, &objective)
                .ok()
        })
    };
    // With --persona, the persona's journey, and advice for the persona
    // as actions on the journey (so that its commands reproduce).
    let (journey, a) = match &persona.persona {
        Some(name) => {
            if budget.is_some() {
                return Err(usage(
                    "--budget plans for the whole journey; it does not combine with --persona",
                ));
            }
            let j = persona_journey(file, &whole.journey, name)?;
            let a = analyzer.analyze(&j);
            if let Some(adv) = advice(Objective::Persona(name.clone())) {
                report = report.account_advice(adv);
            }
            (j, a)
        }
        None => {
            if let Some(adv) = advice(Objective::Account) {
                report = report.account_advice(adv);
            }
            if let Some(p) = whole.personas.clone() {
                report = report.personas(p);
            }
            (whole.journey.clone(), whole.analysis.clone())
        }
    };
    let m = analyzer.moments(&journey, &a);
    let r = analyzer.recommend(&journey, &a, budget);
    let ev = analyzer.evidence(&journey, &a, &evidence_options(evidence, model.seed));
    let report = report.evidence(ev);
    output.write(render::html_report(&journey, &a, &m, &r, &report))
}

fn validate(files: &[String], input: &InputArgs) -> anyhow::Result<()> {
    let mut failed = false;
    for file in files {
        // A file that cannot be read fails, and the others are still checked.
        match load(file, input, true) {
            Ok(Some(j)) => {
                super::io::print_problems(
                    &mut std::io::stderr().lock(),
                    j.warnings(),
                    display_name(file),
                );
                emit(format!(
                    "{}: ok ({} touchpoint{}, {} transition{})\n",
                    display_name(file),
                    j.len(),
                    plural(j.len()),
                    j.transition_count(),
                    plural(j.transition_count())
                ))?;
            }
            Ok(None) => failed = true,
            Err(e) if super::io::is_reported(&e) => return Err(e),
            Err(e) => {
                say!("peakend: error: {e:#}");
                failed = true;
            }
        }
    }
    if failed { Err(reported(1)) } else { Ok(()) }
}

fn convert(
    file: &str,
    input: &InputArgs,
    (to, path): (Target, PathChoice),
    output: &Output,
    (model, persona, thresholds): (&ModelArgs, &PersonaArgs, &ThresholdArgs),
) -> anyhow::Result<()> {
    let analyzer = analyzer(model, thresholds)?;
    let Some(journey) = load(file, input, false)? else {
        return Err(reported(1));
    };
    let journey = with_tie_rule(journey, model);
    let journey = match &persona.persona {
        Some(name) => persona_journey(file, &journey, name)?,
        None => journey,
    };
    let format = match to {
        Target::Json => Format::Json,
        Target::Mermaid => Format::Mermaid,
        Target::Csv => Format::Csv,
        Target::Dot => {
            // Only the picture needs the analysis.
            let a = analyzer.analyze(&journey);
            let m = analyzer.moments(&journey, &a);
            return output.write(render::dot(&journey, &a, &m));
        }
    };
    let exported = if path == PathChoice::Main {
        peakend::save(&journey, format)
    } else {
        let a = analyzer.analyze(&journey);
        let along = match path {
            PathChoice::Best => a.paths.best.touchpoints,
            PathChoice::Worst => a.paths.worst.touchpoints,
            _ => a.paths.most_likely.touchpoints,
        };
        peakend::save_along(&journey, format, &along)
    };
    for w in &exported.warnings {
        say!("{}: warning: {w}", display_name(file));
    }
    output.write(exported.text)
}

/// The operations of `simulate`, in command-line order (usage errors
/// exit 2).
fn operations(lists: [&[String]; 5], order: &[(&str, usize)]) -> anyhow::Result<Vec<Operation>> {
    let mut ops = Vec::new();
    for &(name, k) in order {
        let (list, parsed) = match name {
            "set" => (lists[0], Operation::parse_set(&lists[0][k])),
            "shift" => (lists[1], Operation::parse_shift(&lists[1][k])),
            "append" => (lists[2], Operation::parse_append(&lists[2][k])),
            "remove" => (lists[3], Ok(Operation::remove(lists[3][k].trim()))),
            _ => (lists[4], Operation::parse_probability(&lists[4][k])),
        };
        match parsed {
            Ok(op) => ops.push(op),
            Err(e) => return Err(usage(format_args!("--{name} {}: {e}", list[k]))),
        }
    }
    Ok(ops)
}

/// The analyser the flags ask for (usage errors exit 2).
fn analyzer(args: &ModelArgs, thresholds: &ThresholdArgs) -> anyhow::Result<Analyzer> {
    let model = model_of(&args.model, args.weights.as_deref())?;
    let mut options = Options::new().seed(args.seed);
    if let Some(n) = args.samples {
        options = options.samples(n);
    }
    if let Some(r) = args.resolution
        && !(r.is_finite() && r > 0.0)
    {
        return Err(usage(format_args!(
            "--resolution {r} is not a rating step (positive)"
        )));
    }
    Ok(Analyzer::new(model)
        .options(options)
        .thresholds(thresholds.thresholds())
        .resolution(args.resolution))
}

/// What a command works on: the analyser, the journey (the persona's with
/// `--persona`, for the commands that read a journey), its analysis, and
/// the personas' figures when the journey lists personas.
struct Prepared {
    analyzer: Analyzer,
    journey: Journey,
    analysis: Analysis,
    personas: Option<peakend::Personas>,
}

impl Prepared {
    /// The personas' table, or nothing.
    fn personas_text(&self, st: peakend::Style) -> String {
        self.personas
            .as_ref()
            .map(|p| format!("\n{}", render::personas_text(p, &self.journey.scale(), st)))
            .unwrap_or_default()
    }
}

/// Parse the model (usage errors exit 2), load the journey (problems exit
/// 1), take the persona's journey with `--persona`, and analyse it once;
/// without `--persona`, every persona's figures too.
fn prepare(
    file: &str,
    input: &InputArgs,
    (model, persona): (&ModelArgs, &PersonaArgs),
    thresholds: &ThresholdArgs,
) -> anyhow::Result<Prepared> {
    prepare_as(file, input, (model, persona), thresholds, true)
}

/// As [`prepare`], but the journey stays the file's whole journey (for the
/// commands that act on it: `simulate`, `recommend`, `report`'s advice);
/// `--persona` names whose memory they report, and must be one of the
/// personas.
fn prepare_whole(
    file: &str,
    input: &InputArgs,
    (model, persona): (&ModelArgs, &PersonaArgs),
    thresholds: &ThresholdArgs,
) -> anyhow::Result<Prepared> {
    prepare_as(file, input, (model, persona), thresholds, false)
}

/// [`prepare`] (`own`: the persona's journey replaces the file's) or
/// [`prepare_whole`].
fn prepare_as(
    file: &str,
    input: &InputArgs,
    (model, persona): (&ModelArgs, &PersonaArgs),
    thresholds: &ThresholdArgs,
    own: bool,
) -> anyhow::Result<Prepared> {
    let analyzer = analyzer(model, thresholds)?;
    let Some(journey) = load(file, input, false)? else {
        return Err(reported(1));
    };
    let mut journey = with_tie_rule(journey, model);
    let mut personas = None;
    match &persona.persona {
        Some(name) if own => journey = persona_journey(file, &journey, name)?,
        _ => {
            personas = personas_of(file, &analyzer, &journey, persona)?;
            // `simulate` and `recommend` report the persona's memory: it
            // must be one of the journey's (the personas are made already).
            if let Some(name) = &persona.persona
                && personas.as_ref().is_none_or(|p| p.get(name).is_none())
                && let Err(e) = journey.persona(name)
            {
                return Err(persona_error(file, &e));
            }
        }
    }
    let analysis = analyzer.analyze(&journey);
    Ok(Prepared {
        analyzer,
        journey,
        analysis,
        personas,
    })
}

/// Every persona's figures when the journey lists personas; the account's
/// rule from `--account` (a rule that counts nobody is an error, exit 1).
fn personas_of(
    file: &str,
    analyzer: &Analyzer,
    journey: &Journey,
    persona: &PersonaArgs,
) -> anyhow::Result<Option<peakend::Personas>> {
    if journey.spec().personas.is_empty() {
        return Ok(None);
    }
    let rule: peakend::AccountRule = persona.account.parse().map_err(usage)?;
    let p = analyzer
        .personas(journey, rule)
        .map_err(|e| persona_error(file, &e))?;
    if rule != peakend::AccountRule::Weighted
        && let Err(e) = &p.account
    {
        say!("{}: error: --account {rule}: {e}", display_name(file));
        return Err(reported(1));
    }
    Ok(Some(p))
}

/// Persona `name`'s journey (an unknown persona, or one that takes part in
/// nothing, is an error: exit 1).
fn persona_journey(file: &str, journey: &Journey, name: &str) -> anyhow::Result<Journey> {
    let view = journey.persona(name).map_err(|e| persona_error(file, &e))?;
    view.journey.ok_or_else(|| {
        say!(
            "{}: error: persona \"{name}\" takes part in no touchpoint a customer reaches",
            display_name(file)
        );
        reported(1)
    })
}

fn persona_error(file: &str, e: &peakend::PersonaError) -> anyhow::Error {
    let flag = if matches!(e, peakend::PersonaError::Unknown { .. }) {
        "--persona: "
    } else {
        ""
    };
    say!("{}: error: {flag}{e}", display_name(file));
    reported(1)
}

/// The journey under the tie rule `--ties` names (the file's otherwise).
fn with_tie_rule(journey: Journey, model: &ModelArgs) -> Journey {
    match model.ties.as_deref().map(str::parse::<peakend::Ties>) {
        Some(Ok(t)) => journey.with_ties(t),
        _ => journey,
    }
}

fn check_budget(budget: Option<f64>) -> anyhow::Result<()> {
    match budget {
        Some(b) if !(b.is_finite() && b >= 0.0) => Err(usage(format_args!(
            "--budget {b} is not a budget (finite, 0 or more)"
        ))),
        _ => Ok(()),
    }
}

fn check_max_touchpoints(n: usize) -> anyhow::Result<()> {
    if n < 2 {
        return Err(usage(format_args!(
            "--max-touchpoints {n}: a map needs at least 2 touchpoints"
        )));
    }
    Ok(())
}

/// `discover`: an event log in, a journey out; what was found and changed
/// on standard error.
fn discover(
    (log, table): (&str, Option<&str>),
    output: &Output,
    columns: &LogColumnArgs,
    (rating_scale, min_share): (Option<(f64, f64)>, f64),
    (name, design): (Option<String>, Option<peakend::observe::Design>),
) -> anyhow::Result<()> {
    use peakend::observe::{DiscoverOptions, Discoverer, read_case_table, read_log_into};
    let shown = display_name(log);
    let stem = std::path::Path::new(log)
        .file_name()
        .map_or("journey".into(), |s| {
            let s = s.to_string_lossy();
            let lower = s.to_ascii_lowercase();
            let cut = [".xes.gz", ".xes", ".csv", ".tsv", ".txt"]
                .iter()
                .find(|x| lower.ends_with(*x))
                .map_or(0, |x| x.len());
            s[..s.len() - cut].to_string()
        });
    let mut options = DiscoverOptions::new()
        .name(name.unwrap_or(if log == "-" { "journey".into() } else { stem }))
        .min_share(min_share);
    if log != "-" {
        let file = std::path::Path::new(log)
            .file_name()
            .map_or(log.to_string(), |f| f.to_string_lossy().into_owned());
        options = options.source(file);
    }
    if let Some((a, b)) = rating_scale {
        options = options.rating_scale(a, b);
    }
    if let Some(d) = design {
        options = options.onto(d);
    }
    let read = columns.options();
    let mut d = Discoverer::new(options);
    if let Some(t) = table {
        match read_case_table(open_input(t)?, &mut d) {
            Ok(r) => say!("{}", render::case_table_text(t, &r)),
            Err(e) => {
                say!("{t}: error: {e}");
                return Err(reported(1));
            }
        }
    }
    let found = read_log_into(open_input(log)?, &read, d);
    let found = match found {
        Ok(f) => f,
        Err(e) => {
            say!("{shown}: error: {e}");
            return Err(reported(1));
        }
    };
    // The result must be a journey every command accepts.
    let journey = Journey::from_spec(found.spec.clone())
        .map_err(|e| anyhow::anyhow!("the discovered journey is invalid (a bug): {e}"))?;
    say!(
        "{}",
        render::discovery_text(
            shown,
            (journey.len(), journey.transition_count()),
            &found.report
        )
    );
    output.write(found.spec.to_json())
}

/// `gap`, from its arguments.
fn gap_command(command: Command, input: &InputArgs) -> anyhow::Result<()> {
    let Command::Gap {
        supplier,
        customer,
        mapping,
        format,
        output,
        force,
        persona,
        model,
        thresholds,
    } = command
    else {
        unreachable!("only gap comes here")
    };
    one_stdin(&[
        ("the supplier's journey", Some(&supplier)),
        ("the customers' journey", Some(&customer)),
        ("--mapping", mapping.as_deref()),
    ])?;
    let out = Output::new(output, force, &supplier)?
        .not_over(Some(&customer), "the customers' journey", force)?
        .not_over(mapping.as_deref(), "the mapping", force)?;
    gap(
        (&supplier, &customer, mapping.as_deref()),
        input,
        (&model, &thresholds, persona.as_deref()),
        &format,
        &out,
    )
}

/// `gap`: the supplier's journey against the customers'.
fn gap(
    (supplier, customer, mapping): (&str, &str, Option<&str>),
    input: &InputArgs,
    (model, thresholds, persona): (&ModelArgs, &ThresholdArgs, Option<&str>),
    format: &str,
    output: &Output,
) -> anyhow::Result<()> {
    let analyzer = analyzer(model, thresholds)?;
    let (Some(s), Some(c)) = (load(supplier, input, false)?, load(customer, input, false)?) else {
        return Err(reported(1));
    };
    let (s, c) = (with_tie_rule(s, model), with_tie_rule(c, model));
    let (s, c) = match persona {
        Some(name) => (
            persona_journey(supplier, &s, name)?,
            persona_journey(customer, &c, name)?,
        ),
        None => (s, c),
    };
    let (pairs, lines): (Vec<(String, String)>, Vec<u64>) = match mapping {
        None => (Vec::new(), Vec::new()),
        Some(m) => {
            let f = open_input(m)?;
            match peakend::observe::read_pairs(f, &["supplier"], &["customer"]) {
                Ok(p) => p.into_iter().map(|(a, b, l)| ((a, b), l)).unzip(),
                Err(e) => {
                    say!("{m}: error: {e}");
                    return Err(reported(1));
                }
            }
        }
    };
    let mut options = peakend::GapOptions::new().seed(model.seed);
    if let Some(n) = model.samples {
        options = options.samples(n);
    }
    let g = match analyzer.gap(&s, &c, &pairs, &options) {
        Ok(g) => g,
        Err(e) => {
            // A problem with a pair of the mapping names its line.
            let place = match (mapping, e.pair().and_then(|k| lines.get(k))) {
                (Some(m), Some(line)) => format!("{m}: error: line {line}: "),
                (Some(m), None) => format!("{m}: error: "),
                _ => "error: ".into(),
            };
            say!("{place}{e}");
            return Err(reported(1));
        }
    };
    output.write(match format {
        "json" => render::gap_json(&g),
        "html" => render::gap_html(&g, &c),
        _ => noted(
            render::gap_text(
                &g,
                style(if output.is_file() {
                    super::ColorChoice::Never
                } else {
                    super::ColorChoice::Auto
                }),
            ),
            &analyzer,
        ),
    })
}

/// `discover --onto`: the design, with its mapping (`None` when a problem
/// was reported).
fn design(
    file: &str,
    mapping: Option<&str>,
    input: &InputArgs,
) -> anyhow::Result<Option<peakend::observe::Design>> {
    let Some(journey) = load(file, input, false)? else {
        return Ok(None);
    };
    let source = std::path::Path::new(file)
        .file_name()
        .map_or(file.to_string(), |f| f.to_string_lossy().into_owned());
    let mut design = peakend::observe::Design::new(&journey, source);
    if let Some(m) = mapping {
        let f = open_input(m)?;
        if let Err(e) = peakend::observe::read_mapping(f, &mut design) {
            say!("{m}: error: {e}");
            return Ok(None);
        }
    }
    Ok(Some(design))
}

/// `sample`: synthetic customers drawn from a journey, as an event log
/// (and a case table).
fn sample(
    (file, persona): (&str, Option<&str>),
    input: &InputArgs,
    options: &peakend::observe::SampleOptions,
    (model, weights): (&str, Option<&str>),
    (output, table): (&Output, Option<&Output>),
) -> anyhow::Result<()> {
    use peakend::observe::{SampleReport, sample_log};
    let model = model_of(model, weights)?;
    let Some(journey) = load(file, input, false)? else {
        return Err(reported(1));
    };
    let journey = match persona {
        Some(name) => persona_journey(file, &journey, name)?,
        None => journey,
    };
    if let Err(m) = peakend::observe::check_sample_span(&journey, options) {
        say!("{}: error: {m}", display_name(file));
        return Err(reported(1));
    }
    let gz = output.is_gz();
    let draw = |log: &mut dyn std::io::Write| -> anyhow::Result<Option<SampleReport>> {
        Ok(match table {
            Some(t) => t.write_with(|cases| {
                Ok(Some(sample_log(
                    &journey,
                    &model,
                    options,
                    log,
                    Some(cases),
                )?))
            })?,
            None => Some(sample_log(&journey, &model, options, log, None)?),
        })
    };
    let report = output.write_with(|plain| {
        if !gz {
            return draw(plain);
        }
        let mut zipped = flate2::write::GzEncoder::new(plain, flate2::Compression::default());
        let report = draw(&mut zipped)?;
        zipped.finish()?;
        Ok(report)
    })?;
    // A closed pipe ends the log early and quietly.
    let Some(report) = report else {
        return Ok(());
    };
    say!(
        "{}: {} case{}, {} event{} (seed {})",
        display_name(file),
        report.cases,
        plural(report.cases as usize),
        report.events,
        plural(report.events as usize),
        options.seed
    );
    Ok(())
}

/// `sample` and `discover`: journeys and event logs.
fn observe(command: Command, input: &InputArgs) -> anyhow::Result<()> {
    use peakend::observe::LogFormat;
    match command {
        Command::Sample {
            file,
            cases,
            seed,
            output,
            force,
            case_table,
            noise,
            rated,
            gap,
            rating_scale,
            model,
            weights,
            format,
            persona,
            accounts,
        } => {
            if case_table.as_deref() == Some("-") {
                return Err(usage(
                    "--case-table needs a file (the log goes to standard output)",
                ));
            }
            let output = Output::new(output, force, &file)?;
            let table = case_table
                .map(|t| Output::new(Some(t), force, &file))
                .transpose()?;
            if let Some(t) = &table {
                distinct_outputs(("--output", &output), ("--case-table", t))?;
            }
            let mut options = peakend::observe::SampleOptions::new(cases)
                .seed(seed)
                .noise(noise)
                .rated(rated)
                .gap_minutes(gap)
                .rating_scale(rating_scale.0, rating_scale.1)
                .format(match format.as_deref() {
                    Some("xes") => LogFormat::Xes,
                    Some(_) => LogFormat::Csv,
                    None if output.is_xes() => LogFormat::Xes,
                    None => LogFormat::Csv,
                });
            if let Some(k) = accounts {
                options = options.accounts(k);
            }
            sample(
                (&file, persona.as_deref()),
                input,
                &options,
                (&model, weights.as_deref()),
                (&output, table.as_ref()),
            )
        }
        Command::Discover {
            log,
            output,
            force,
            columns,
            rating_scale,
            min_share,
            name,
            case_table,
            onto,
            mapping,
        } => {
            one_stdin(&[
                ("the log", Some(&log)),
                ("--cases", case_table.as_deref()),
                ("--onto", onto.as_deref()),
                ("--mapping", mapping.as_deref()),
            ])?;
            let output = Output::new(output, force, &log)?
                .not_over(case_table.as_deref(), "the case table", force)?
                .not_over(onto.as_deref(), "the design (--onto)", force)?
                .not_over(mapping.as_deref(), "the mapping", force)?;
            let design = match onto {
                Some(file) => match design(&file, mapping.as_deref(), input)? {
                    Some(d) => Some(d),
                    None => return Err(reported(1)),
                },
                None => None,
            };
            discover(
                (&log, case_table.as_deref()),
                &output,
                &columns,
                (rating_scale, min_share),
                (name, design),
            )
        }
        _ => unreachable!("only sample and discover come here"),
    }
}

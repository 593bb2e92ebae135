//! # peakend — what customers will remember
//!
//! Journey-mapping tools draw emotion curves; peakend computes what the
//! customer will *remember*. Remembered experience follows the most intense
//! moment and the end and nearly ignores duration (Kahneman et al. 1993;
//! Redelmeier & Kahneman 1996; Alaybek et al. 2022). A journey is a DAG of
//! touchpoints with transition probabilities; peakend computes the expected
//! remembered experience exactly over every path, without enumerating them.
//!
//! Build a journey in code — a quote that is fast for 40 % of customers and
//! slow for the rest — then analyse it once, try a change and ask where to
//! invest:
//!
//! ```
//! use peakend::{Analyzer, Journey, JourneySpec, Model, Operation, TouchpointSpec, TransitionSpec};
//!
//! let journey = Journey::from_spec(
//!     JourneySpec::builder("Quote to order")
//!         .touchpoint(TouchpointSpec::new("ask", "Ask for a quote", 0.0))
//!         .touchpoint(TouchpointSpec::new("fast", "Quote the same day", 6.0))
//!         .touchpoint(TouchpointSpec::new("slow", "Quote after two weeks", -6.0))
//!         .touchpoint(TouchpointSpec::new("order", "Place the order", 2.0))
//!         .transition(TransitionSpec::new("ask", "fast", Some(0.4)))
//!         .transition(TransitionSpec::new("ask", "slow", Some(0.6)))
//!         .transition(TransitionSpec::new("fast", "order", None))
//!         .transition(TransitionSpec::new("slow", "order", None))
//!         .build(),
//! )?;
//! let analyzer = Analyzer::new(Model::PeakEnd);
//! let a = analyzer.analyze(&journey);
//! // (peak + end) / 2 over both paths: 0.4 × (6 + 2) / 2 + 0.6 × (-6 + 2) / 2
//! assert!((a.remembered.expected - 0.4).abs() < 1e-12 && a.remembered.exact);
//! let what_if = analyzer.simulate(&journey, &a, &[Operation::set("slow", -2.0)])?;
//! assert!(what_if.delta > 0.0);
//! let advice = analyzer.recommend(&journey, &a, Some(2.0));
//! assert_eq!(advice.recommendations[0].touchpoint.as_deref(), Some("slow"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Or load a journey in any format peakend reads:
//!
//! ```
//! use peakend::{load, Format, LoadOptions, Model, analyze, Options};
//!
//! let text = r#"{"version": 1, "name": "Support ticket", "touchpoints": [
//!     {"id": "report",   "name": "Report the bug",    "emotion": -2, "duration": 10},
//!     {"id": "escalate", "name": "Escalation",        "emotion": -8, "duration": 5},
//!     {"id": "fixed",    "name": "Fix and follow-up", "emotion": 4,  "duration": 60}]}"#;
//! let journey = load(text, Format::from_path("ticket.json"), &LoadOptions::new())?;
//! let a = analyze(&journey, &Model::PeakEnd, &Options::new());
//! assert_eq!(a.remembered.expected, -2.0); // (-8 + 4) / 2
//! assert_eq!(a.mean.expected, 2.4); // the dashboard is rosier than memory
//! # Ok::<(), peakend::InvalidJourney>(())
//! ```
//!
//! The journey format is documented in `docs/format.md`. Plain serde types
//! ([`JourneySpec`] and friends) mirror the file; a validated [`Journey`] is
//! only obtainable through validation. Memory models implement
//! [`MemoryModel`]. [`load`] reads any format (JSON, [`mermaid`], [`csv`]) and
//! [`save`] writes them;
//! [`render`] turns results into text, JSON, SVG, HTML and DOT. The layers
//! and where new work goes are described in `ARCHITECTURE.md`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![warn(
    clippy::too_many_lines,
    clippy::must_use_candidate,
    clippy::missing_errors_doc,
    clippy::missing_panics_doc
)]

mod analysis;
mod engine;
mod error;
mod evidence;
#[cfg(feature = "fit")]
pub mod fit;
mod format;
mod gap;
pub mod generate;
mod journey;
mod memory;
mod moments;
mod numfmt;
pub mod observe;
mod ownership;
mod personas;
mod recommend;
#[cfg(feature = "render")]
pub mod render;
mod simulate;
mod spec;

/// The README's examples compile and run as doc tests.
#[cfg(all(doctest, feature = "cli"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// petgraph is part of the public API on purpose: [`Journey::graph`] gives
/// the DAG as a petgraph graph for tools that want to run their own graph
/// algorithms on it.
pub use petgraph;

pub use analysis::{
    Analysis, Analyzer, Bin, DEFAULT_SAMPLES, DEFAULT_SEED, Distribution, Estimate,
    EstimatedFigure, Figure, HISTOGRAM_BINS, JourneySummary, MAX_SAMPLES, Options, OutcomeShare,
    PathCount, PathResult, Paths, Remembered, SampledMemory, Thresholds, TouchpointResult,
    WhatIfError, analyze, expected_exact, whatif_emotions,
};
pub use error::{InvalidJourney, OptionsError, Problem, ProblemKind, Severity};
pub use evidence::{
    Basis, Evidence, EvidenceOptions, Interval, IntervalMethod, LEVEL, MAX_INTERVAL_WORK,
    NoInterval, emotion_uncertainty,
};
#[cfg(feature = "csv")]
pub use format::csv;
#[cfg(feature = "mermaid")]
pub use format::mermaid;
pub use format::{
    Exported, Format, Imported, LoadOptions, UnknownFormat, load, load_bytes, save, save_along,
};
pub use gap::{
    AdviceCheck, Anchor, Gap, GapError, GapOptions, Paired, Side, SignChange, Verdict, View,
};
pub use journey::{
    Journey, MAX_PERSONA_WORK, PROBABILITY_TOLERANCE, PersonaError, PersonaView, Scale,
};
pub use memory::{
    Calibration, Feature, FittedModel, MODEL_FILE_VERSION, MemoryModel, Model, ModelFileError,
    OutcomeEffect, OutcomeLink, PathView, Provenance, Weights,
};
pub use moments::{Forgettable, Missed, Moment, Moments, Reason};
pub use ownership::{Group, Ownership};
pub use personas::{
    ACCOUNT_CANDIDATES, Account, AccountAction, AccountAdvice, AccountError, AccountRule,
    AdviceError, FULL_WORK, Objective, PersonaFigures, PersonaSimulateError, Personas, TRADE_OFF,
    UnknownAccountRule, account_of,
};
pub use recommend::{
    Action, AdviceEstimate, Alternative, AssumedCost, DEFAULT_COST, DashboardView, EstimatedLift,
    OutcomeShift, OwnerAction, PLAN_POOL, Plan, RESTS_ON_SHOWN, Rationale, Recommendation,
    Recommendations, Role,
};
#[cfg(feature = "render")]
pub use render::{html::ReportOptions, svg::MapOptions, text::Style};
pub use simulate::{
    MomentChange, Operation, ParseOperationError, SimulateError, Simulation, apply,
};
pub use spec::json::parse_spec;
#[cfg(feature = "schema")]
pub use spec::json_schema;
pub use spec::{
    EvidenceKind, EvidenceSpec, FORMAT_VERSION, ImprovementSpec, JourneyBuilder, JourneySpec,
    ObservedRouteSpec, ObservedSpec, OutcomeKind, OutcomeSpec, ParseScaleError, ParseTiesError,
    PersonaSpec, RECOGNISED_TAGS, RouteImprovementSpec, ScaleSpec, StageSpec, Ties, TouchpointSpec,
    TransitionSpec,
};
pub use spec::{Limits, MAX_DURATION, MAX_SCALE};

//! The one error type of odegen.
//!
//! Numerical failure never panics: every way an integration can fail, and every input that
//! cannot be integrated, is a variant here. Times and step sizes are reported as `f64` whatever
//! the scalar type, so that errors of all systems convert into one type.

use core::fmt;

/// Why a problem could not be set up or an integration could not go on.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A component of the initial state is NaN or infinite.
    NonFiniteInitialState {
        /// The first offending component.
        index: usize,
    },
    /// The start or end of the time span is NaN or infinite, or the span's length `t1 − t0`
    /// overflows (`(f64::MAX, −f64::MAX)`).
    NonFiniteSpan {
        /// Start of the span.
        t0: f64,
        /// End of the span.
        t1: f64,
    },
    /// A tolerance is negative, NaN or infinite.
    InvalidTolerance {
        /// Which tolerance, and what is wrong with it.
        what: &'static str,
    },
    /// A setting is out of its range (a non-positive step, `min_step > max_step`, ...).
    InvalidOption {
        /// Which setting, and what is wrong with it.
        what: &'static str,
    },
    /// The times of `t_eval` are not sorted in the direction of integration, or lie outside
    /// the span.
    InvalidTEval {
        /// The first offending time.
        t: f64,
        /// What is wrong with it.
        what: &'static str,
    },
    /// The step size the error control needs fell below `min_step` or below what the
    /// floating-point spacing at `t` can represent.
    StepSizeTooSmall {
        /// Where the integration stopped.
        t: f64,
        /// The step size that was needed.
        h: f64,
    },
    /// The evaluation budget (`max_nfev`) would be exceeded by the next step.
    TooManyEvaluations {
        /// The budget.
        limit: usize,
    },
    /// The right-hand side returned NaN or infinity, and shrinking the step did not help.
    NonFiniteDerivative {
        /// The time of the evaluation that produced it.
        t: f64,
    },
    /// The error estimate of an attempted step is not finite although the new state and the
    /// right-hand side are: the error weights `1/(atol + rtol |y|)` overflow or vanish.
    NonFiniteErrorNorm {
        /// The end of the attempted step.
        t: f64,
    },
    /// A time given to dense output lies outside the interval it can interpolate.
    OutsideInterpolant {
        /// The time asked for.
        t: f64,
        /// The interval covered.
        interval: (f64, f64),
    },
    /// `step()` was called after the integration reached its end.
    Finished {
        /// The final time.
        t: f64,
    },
    /// An event function returned NaN or an infinity.
    NonFiniteEventValue {
        /// The event's index in its set.
        event: usize,
        /// Where.
        t: f64,
    },
    /// A state to restart from (an event's reset) has a NaN or infinite component, or lies
    /// outside the last step.
    InvalidRestart {
        /// The restart time.
        t: f64,
    },
    /// An event with a reset occurred again at the time of its previous occurrence: events
    /// accumulate at `t` (Zeno behaviour, e.g. a bouncing ball coming to rest), and the
    /// integration cannot pass that point.
    EventsAccumulate {
        /// The event's index in its set.
        event: usize,
        /// The accumulation time.
        t: f64,
    },
    /// The Newton iteration matrix of an implicit method was singular (or not finite) again
    /// and again although the step was halved each time.
    SingularMatrix {
        /// Where the integration stopped.
        t: f64,
    },
    /// More event occurrences than the limit set for the integration.
    TooManyEvents {
        /// The limit.
        limit: u64,
        /// The time of the occurrence past the limit.
        t: f64,
    },
}

/// A time or a step as a person reads it: the shortest decimal that round-trips, positional
/// between `10⁻⁴` and `10¹⁵` and in exponent form outside (`2.2250738585072014e-308`, not
/// 310 digits; `1700000000.5`, `5`).
#[derive(Clone, Copy)]
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.abs();
        if a == 0.0 || !a.is_finite() || (1e-4..1e15).contains(&a) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every time and step is printed through `Num`.
        match *self {
            Error::NonFiniteInitialState { index } => {
                write!(f, "component {index} of the initial state is not finite")
            }
            Error::NonFiniteSpan { t0, t1 } => write!(
                f,
                "the time span ({}, {}) is not finite, or its length overflows",
                Num(t0),
                Num(t1)
            ),
            Error::InvalidTolerance { what } => write!(f, "invalid tolerance: {what}"),
            Error::InvalidOption { what } => write!(f, "invalid option: {what}"),
            Error::InvalidTEval { t, what } => {
                write!(f, "invalid t_eval at t = {}: {what}", Num(t))
            }
            Error::StepSizeTooSmall { t, h } => write!(
                f,
                "required step size {} at t = {} is below the minimum step or the spacing of \
                 floating-point numbers",
                Num(h),
                Num(t)
            ),
            Error::TooManyEvaluations { limit } => write!(
                f,
                "the limit of {limit} right-hand-side evaluations was reached"
            ),
            Error::NonFiniteDerivative { t } => write!(
                f,
                "the right-hand side returned a non-finite value at t = {}",
                Num(t)
            ),
            Error::NonFiniteErrorNorm { t } => write!(
                f,
                "the error estimate of the step to t = {} is not finite although the state and \
                 the right-hand side are: the error weights 1/(atol + rtol·|y|) overflow or \
                 vanish at this scale of the state",
                Num(t)
            ),
            Error::OutsideInterpolant { t, interval } => write!(
                f,
                "t = {} lies outside the interpolated interval [{}, {}]",
                Num(t),
                Num(interval.0),
                Num(interval.1)
            ),
            Error::Finished { t } => {
                write!(f, "the integration already reached its end t = {}", Num(t))
            }
            Error::NonFiniteEventValue { event, t } => {
                write!(f, "event function {event} is not finite at t = {}", Num(t))
            }
            Error::InvalidRestart { t } => write!(
                f,
                "cannot restart at t = {}: the state is not finite or t lies outside the last step",
                Num(t)
            ),
            Error::EventsAccumulate { event, t } => write!(
                f,
                "event {event} recurs at t = {} right after its reset: events accumulate there \
                 (Zeno behaviour) and the integration cannot go past it",
                Num(t)
            ),
            Error::SingularMatrix { t } => write!(
                f,
                "the Newton iteration matrix is repeatedly singular at t = {}, although the \
                 step was halved each time",
                Num(t)
            ),
            Error::TooManyEvents { limit, t } => {
                write!(f, "more than {limit} event occurrences by t = {}", Num(t))
            }
        }
    }
}

impl core::error::Error for Error {}

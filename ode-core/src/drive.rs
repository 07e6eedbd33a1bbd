//! The allocation-free driver: a stepper run to its end with events and a step handler.
//!
//! [`run`] is the loop every driver shares (`solve_ivp` included): step, let the
//! [`EventTracker`] locate the crossings in the step and report them, hand the step (cut at a
//! terminal or resetting event) to the [`StepHandler`], then stop or restart the method as the
//! event asks. Nothing in it allocates: occurrences go to a callback, output to the handler.

use crate::error::Error;
use crate::events::{EventOutcome, EventTracker, Occurrence};
use crate::handler::{StepHandler, StepView};
use crate::scalar::Scalar;
use crate::stepper::Stepper;
use crate::system::EventSet;

/// How a [`run`] ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ending<R> {
    /// The bound was reached.
    Finished,
    /// A terminal event stopped the integration.
    Terminated {
        /// The event's index.
        event: usize,
        /// When.
        t: R,
    },
}

/// Runs `st` to its bound (or a terminal event) with the event functions `events`: each
/// occurrence is passed to `on_event` as it is found, each accepted step to `handler`.
///
/// ```
/// use ode_core::{run, Direction, Dop853, Ending, EventAction, EventSet, OdeSystem, Stepper,
///                Tolerances};
///
/// /// A ball dropped from 10 m, g = 9.81, bouncing with restitution 0.8.
/// struct Ball;
/// impl OdeSystem<2> for Ball {
///     fn rhs(&self, _t: f64, y: &[f64; 2], dy: &mut [f64; 2]) { *dy = [y[1], -9.81]; }
/// }
/// struct Floor;
/// impl EventSet<2, 1> for Floor {
///     fn values(&self, _t: f64, y: &[f64; 2], g: &mut [f64; 1]) { g[0] = y[0]; }
///     fn direction(&self, _k: usize) -> Direction { Direction::Falling }
///     fn action(&self, _k: usize) -> EventAction { EventAction::ResetState }
///     fn reset(&self, _k: usize, _t: f64, y: &mut [f64; 2]) { y[1] = -0.8 * y[1]; }
///     fn terminal(&self, _k: usize) -> Option<u32> { Some(3) }
/// }
/// let mut st = Dop853::new(Ball, 0.0, [10.0, 0.0], 100.0, Tolerances::new(1e-10, 1e-12))?;
/// let mut bounces = Vec::new();
/// let end = run(&mut st, Floor, &mut (), &mut |occ| bounces.push(occ.t))?;
/// // Closed form: t1 = √(2·10/g), then each flight lasts 0.8 times the one before.
/// let t1 = (20.0f64 / 9.81).sqrt();
/// let exact = [t1, t1 + 1.6 * t1, t1 + 1.6 * t1 + 1.28 * t1];
/// for (t, e) in bounces.iter().zip(exact) { assert!((t - e).abs() < 1e-9); }
/// assert!(matches!(end, Ending::Terminated { event: 0, .. }));
/// # Ok::<(), ode_core::Error>(())
/// ```
///
/// # Errors
/// The stepper's errors (step size underflow, evaluation budget, non-finite values) and the
/// event tracker's ([`EventTracker::after_step`]). The handler has seen every step up to the
/// failure.
pub fn run<St, E, H, S, const N: usize, const M: usize>(
    st: &mut St,
    events: E,
    handler: &mut H,
    on_event: &mut impl FnMut(&Occurrence<S, N>),
) -> Result<Ending<S::Real>, Error>
where
    St: Stepper<S, N>,
    E: EventSet<N, M, S>,
    H: StepHandler<S, N> + ?Sized,
    S: Scalar,
{
    let mut tracker = EventTracker::new(events, st)?;
    run_tracked(st, &mut tracker, handler, on_event)
}

/// [`run`] with a tracker the caller keeps (for its settings and counts).
pub fn run_tracked<St, E, H, S, const N: usize, const M: usize>(
    st: &mut St,
    tracker: &mut EventTracker<E, S, N, M>,
    handler: &mut H,
    on_event: &mut impl FnMut(&Occurrence<S, N>),
) -> Result<Ending<S::Real>, Error>
where
    St: Stepper<S, N>,
    E: EventSet<N, M, S>,
    H: StepHandler<S, N> + ?Sized,
    S: Scalar,
{
    handler.init(st.t(), st.y(), st.t_bound());
    while !st.is_finished() {
        st.step()?;
        let outcome = tracker.after_step(st, on_event)?;
        match outcome {
            EventOutcome::Proceed => {
                let (t, y, last) = (st.t(), *st.y(), st.is_finished());
                handler.handle_step(&mut StepView::new(st, t, y, last));
            }
            EventOutcome::Stop { event, t, y } => {
                handler.handle_step(&mut StepView::new(st, t, y, true));
                return Ok(Ending::Terminated { event, t });
            }
            EventOutcome::Restart { t, y, .. } => {
                let y_cut = if t == st.t() { *st.y() } else { st.dense(t)? };
                let last = t == st.t_bound();
                handler.handle_step(&mut StepView::new(st, t, y_cut, last));
                st.restart(t, y)?;
                tracker.restarted(st)?;
            }
        }
    }
    Ok(Ending::Finished)
}

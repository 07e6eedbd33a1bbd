//! Event location: the zero crossings of event functions `g_k(t, y(t))` along the solution.
//!
//! An [`EventTracker`] watches the `M` functions of an [`EventSet`] step after step:
//!
//! 1. **Detection.** After each accepted step `[t_n, t_{n+1}]` it evaluates all `g_k` at the
//!    step's end (the start's values are kept from the step before). A change of strict sign,
//!    or a value exactly zero at the end, brackets a crossing. A function that keeps its sign
//!    may still have crossed zero twice inside the step; the tracker therefore also keeps the
//!    time derivative `ġ_k = dg_k/dt` along the solution at each step end, by a directional
//!    difference `(g(t, y) − g(t − δ, y − δ f))/δ`, `δ = √ε h` (one more evaluation of the
//!    event functions per step, no right-hand side). When `g_k` moves towards zero at the start
//!    and away from it at the end (`s ġ_k(t_n) < 0 < s ġ_k(t_{n+1})` with `s` the common sign and
//!    `ġ` taken along the direction of integration),
//!    the step holds an extremum on the near side of zero, and the tracker searches it on the
//!    dense output: first where the linear interpolant of `ġ_k` vanishes, then by at most
//!    [`EXTREMUM_SEARCH`] golden-section steps; a value of the other sign splits the step into
//!    two brackets, and both roots are located. Steps without such an extremum (the usual
//!    case) cost nothing beyond the two evaluations of `g`.
//! 2. **Location.** Each bracket is refined on the method's dense output with Brent's method
//!    (R. P. Brent, *Algorithms for Minimization without Derivatives*, Prentice-Hall 1973,
//!    ch. 4) until it is a few units in the last place of `t` wide. The bracket's two ends lie on
//!    either side of the crossing.
//! 3. **Order and actions.** Occurrences inside one step are handled in time order, ties by
//!    event index. Each is counted and reported; the first that is terminal
//!    ([`EventSet::terminal`], or the action [`EventAction::Stop`]) or that resets
//!    ([`EventAction::ResetState`], [`EventAction::ResetDerivatives`]) ends the processing of
//!    the step: occurrences at the same time are still reported, later ones are dropped (after a
//!    reset the integration re-runs that stretch and finds them again if they still happen).
//!
//! A limit of [`EventAction::ResetDerivatives`]: the state at the switch comes from the dense
//! output of the step that straddles it, whose later stages already sampled the right-hand
//! side's other branch. Adaptive methods keep that within their tolerance (their error estimate
//! sees the kink, and the straddling step shrinks until it passes); a fixed-step method keeps
//! the error of that one step. Where a switch time is known in advance, ending one integration
//! there and starting the next is exact.
//!
//! Conventions:
//! - A direction refers to the order of integration: `Rising` means `g` goes from negative to
//!   non-negative as the integration proceeds, backward integrations included (SciPy's rule).
//! - A value exactly zero at the start of a step is not a crossing: an event at the initial
//!   time is not reported, and neither is a touch of zero reported at a step's end counted again
//!   when the function leaves zero. The side it leaves to (the sign of `ġ`) counts as its sign
//!   at the start, so a return across zero later in the same step is found.
//! - An event reported at the time of a reset is not reported again when the restart, a few
//!   ulps earlier, meets its crossing once more.
//! - The time reported is the bracket end past the crossing (so `g` there already has its new
//!   sign or is zero); for [`EventAction::ResetState`] it is the end before the crossing, so
//!   the reset state starts on the side it came from (a bouncing ball restarts above the floor
//!   with its velocity reversed). Either is within a few ulps of the root.
//! - A reset event that recurs at the time of its own previous reset means the events
//!   accumulate there (a ball coming to rest): [`Error::EventsAccumulate`]; unless the reset
//!   left `g` heading for zero (a reset that changed other components only, such as a counter):
//!   then it is the same crossing, not counted again. A total number of
//!   occurrences above [`EventTracker::max_occurrences`] is [`Error::TooManyEvents`]. So event
//!   handling always ends, with a result or with a clear error.

use crate::error::Error;
use crate::scalar::{Real, Scalar};
use crate::stepper::Stepper;
use crate::system::{Direction, EventAction, EventSet};
use num_traits::{Float, One, Zero};

/// Golden-section steps spent, at most, looking for the extremum of a function that kept its
/// sign over a step but turned around inside it.
pub const EXTREMUM_SEARCH: usize = 16;

/// Brent iterations allowed per root (the bracket shrinks at least by half every few
/// iterations, so this is never reached in double precision).
const MAX_BRENT: usize = 200;

/// The default of [`EventTracker::max_occurrences`].
pub const DEFAULT_MAX_OCCURRENCES: u64 = 1_000_000;

/// An event set with no events: what the drivers use when none is given.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl<const N: usize, S: Scalar> EventSet<N, 0, S> for NoEvents {
    #[inline]
    fn values(&self, _t: S::Real, _y: &[S; N], _g: &mut [S::Real; 0]) {}
}

/// One occurrence of an event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Occurrence<S: Scalar, const N: usize> {
    /// The event's index in its set.
    pub event: usize,
    /// When (within a few ulps of the root).
    pub t: S::Real,
    /// The state there, from the dense output (before any reset).
    pub y: [S; N],
    /// The way `g` crossed: [`Direction::Rising`] or [`Direction::Falling`].
    pub direction: Direction,
    /// Which occurrence of this event it is (1 for the first).
    pub count: u32,
}

/// What the occurrences of one step ask of the integration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventOutcome<S: Scalar, const N: usize> {
    /// Nothing: the step stands and the integration goes on.
    Proceed,
    /// A terminal event: the integration ends at `t` in state `y`.
    Stop {
        /// The event's index.
        event: usize,
        /// The time of the stop.
        t: S::Real,
        /// The state there.
        y: [S; N],
    },
    /// A reset: the step is cut at `t` and the integration restarts there from `y` (the reset
    /// state, or the unchanged state for [`EventAction::ResetDerivatives`]).
    Restart {
        /// The event's index.
        event: usize,
        /// The restart time.
        t: S::Real,
        /// The state to restart from.
        y: [S; N],
    },
}

impl<S: Scalar, const N: usize> EventOutcome<S, N> {
    /// The time at which the step is cut, if it is.
    pub fn cut(&self) -> Option<S::Real> {
        match *self {
            EventOutcome::Proceed => None,
            EventOutcome::Stop { t, .. } | EventOutcome::Restart { t, .. } => Some(t),
        }
    }
}

/// A time and the event function's value there.
type Sample<R> = (R, R);

/// A located crossing inside the current step.
#[derive(Debug, Clone, Copy)]
struct Crossing<R> {
    /// Bracket end before the crossing (in the order of integration).
    before: R,
    /// Bracket end after it (`g` has the new sign or is zero there).
    after: R,
    rising: bool,
}

/// Watches the event functions of an [`EventSet`] along an integration (see the module
/// documentation for what it does and guarantees).
///
/// ```
/// use ode_core::{Direction, Dopri5, EventOutcome, EventSet, EventTracker, OdeSystem, Stepper,
///                Tolerances};
///
/// /// y' = 1 from y(0) = 0; the event y = 0.5 rising, terminal.
/// struct Ramp;
/// impl OdeSystem<1> for Ramp {
///     fn rhs(&self, _t: f64, _y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = 1.0; }
/// }
/// struct Half;
/// impl EventSet<1, 1> for Half {
///     fn values(&self, _t: f64, y: &[f64; 1], g: &mut [f64; 1]) { g[0] = y[0] - 0.5; }
///     fn terminal(&self, _k: usize) -> Option<u32> { Some(1) }
/// }
/// let mut st = Dopri5::new(Ramp, 0.0, [0.0], 2.0, Tolerances::new(1e-8, 1e-10))?;
/// let mut tracker = EventTracker::new(Half, &st)?;
/// let mut found = None;
/// while !st.is_finished() {
///     st.step()?;
///     let outcome = tracker.after_step(&mut st, &mut |occ| found = Some(occ.t))?;
///     if let EventOutcome::Stop { t, .. } = outcome {
///         assert!((t - 0.5).abs() < 1e-15);
///         break;
///     }
/// }
/// assert!((found.unwrap() - 0.5).abs() < 1e-15);
/// # Ok::<(), ode_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct EventTracker<E, S: Scalar, const N: usize, const M: usize> {
    events: E,
    t0: S::Real,
    y0: [S; N],
    f0: [S; N],
    g0: [S::Real; M],
    /// `ġ` at `t0`, when known from the step before.
    d0: Option<[S::Real; M]>,
    counts: [u32; M],
    /// The time of each event's last reset and whether that crossing was rising, for the
    /// accumulation check.
    last_reset: [Option<(S::Real, bool)>; M],
    total: u64,
    max_occurrences: u64,
    /// The length of the step in which each event last reset the state.
    reset_step: [S::Real; M],
    /// The time each event was last reported.
    reported: [Option<S::Real>; M],
    /// The time of the last restart.
    restart_at: Option<S::Real>,
}

impl<E, S, const N: usize, const M: usize> EventTracker<E, S, N, M>
where
    E: EventSet<N, M, S>,
    S: Scalar,
{
    /// Starts watching `events` from the stepper's current point.
    ///
    /// # Errors
    /// [`Error::NonFiniteEventValue`] when an event function is not finite there.
    pub fn new<St: Stepper<S, N> + ?Sized>(events: E, st: &St) -> Result<Self, Error> {
        let mut tracker = EventTracker {
            events,
            t0: st.t(),
            y0: *st.y(),
            f0: *st.f(),
            g0: [S::Real::zero(); M],
            d0: None,
            counts: [0; M],
            last_reset: [None; M],
            reset_step: [S::Real::zero(); M],
            total: 0,
            max_occurrences: DEFAULT_MAX_OCCURRENCES,
            reported: [None; M],
            restart_at: None,
        };
        tracker.g0 = tracker.values(tracker.t0, &tracker.y0)?;
        Ok(tracker)
    }

    /// Sets the most occurrences (of all events together) the integration may have; one more
    /// is [`Error::TooManyEvents`]. Default [`DEFAULT_MAX_OCCURRENCES`].
    pub fn max_occurrences(mut self, n: u64) -> Self {
        self.max_occurrences = n;
        self
    }

    /// The event set.
    pub fn events(&self) -> &E {
        &self.events
    }

    /// How often each event has occurred so far.
    pub fn counts(&self) -> &[u32; M] {
        &self.counts
    }

    fn values(&self, t: S::Real, y: &[S; N]) -> Result<[S::Real; M], Error> {
        let mut g = [S::Real::zero(); M];
        self.events.values(t, y, &mut g);
        match g.iter().position(|v| !v.is_finite()) {
            Some(event) => Err(Error::NonFiniteEventValue {
                event,
                t: t.to_f64(),
            }),
            None => Ok(g),
        }
    }

    /// `g` at `t` on the last step's dense output.
    fn g_at<St: Stepper<S, N> + ?Sized>(
        &self,
        st: &mut St,
        t: S::Real,
    ) -> Result<[S::Real; M], Error> {
        let y = st.dense(t)?;
        self.values(t, &y)
    }

    /// `ġ ≈ (g(t + δ, y + δ f) − g(t, y))/δ`.
    fn rate(
        &self,
        t: S::Real,
        y: &[S; N],
        f: &[S; N],
        g: &[S::Real; M],
        delta: S::Real,
    ) -> Result<[S::Real; M], Error> {
        let mut ys = *y;
        for i in 0..N {
            ys[i] = ys[i] + f[i] * delta;
        }
        let gs = self.values(t + delta, &ys)?;
        let mut d = [S::Real::zero(); M];
        for k in 0..M {
            d[k] = (gs[k] - g[k]) / delta;
        }
        Ok(d)
    }

    /// Examines the step the stepper just made: locates the crossings in it, reports each
    /// occurrence (in time order) to `report`, and says what the integration must do. On
    /// [`EventOutcome::Restart`] the caller restarts the stepper there
    /// ([`Stepper::restart`]) and then calls [`EventTracker::restarted`]; the drivers
    /// ([`crate::run`], `solve_ivp`) do both.
    ///
    /// # Errors
    /// Non-finite event values, [`Error::EventsAccumulate`], [`Error::TooManyEvents`], and
    /// the stepper's dense-output errors.
    pub fn after_step<St: Stepper<S, N> + ?Sized>(
        &mut self,
        st: &mut St,
        report: &mut impl FnMut(&Occurrence<S, N>),
    ) -> Result<EventOutcome<S, N>, Error> {
        if M == 0 {
            return Ok(EventOutcome::Proceed);
        }
        let (t0, t1) = (self.t0, st.t());
        let h = t1 - t0;
        if h == S::Real::zero() {
            return Ok(EventOutcome::Proceed);
        }
        let y1 = *st.y();
        let f1 = *st.f();
        let g1 = self.values(t1, &y1)?;
        let delta = S::Real::epsilon().sqrt() * h;
        let d1 = self.rate(t1, &y1, &f1, &g1, -delta)?;
        let d0 = match self.d0 {
            Some(d) => d,
            None => self.rate(t0, &self.y0, &self.f0, &self.g0, delta)?,
        };

        // `ġ` is a derivative in time; `along` turns it into one along the integration.
        let along = if h > S::Real::zero() { 1.0 } else { -1.0 };
        // Up to two crossings per event in this step.
        let mut found: [[Option<Crossing<S::Real>>; 2]; M] = [[None; 2]; M];
        for k in 0..M {
            let (mut a, b) = (self.g0[k], g1[k]);
            if a == S::Real::zero() {
                // Exactly zero at the start (the initial time, or a touch at the last step's
                // end): not a crossing there, but the function leaves zero to one side, given by
                // a forward difference into the step (a touch of zero has `ġ = 0` there, and
                // the backward difference from the last step would point the wrong way), and
                // may come back across later in the step.
                let forward = self.rate(t0, &self.y0, &self.f0, &self.g0, delta)?;
                let leaving = along * forward[k].to_f64();
                if leaving == 0.0 {
                    continue;
                }
                let tiny = S::Real::min_positive_value();
                a = if leaving > 0.0 { tiny } else { -tiny };
            }
            let s = sign(a);
            if sign(b) != s {
                found[k][0] = Some(self.locate(st, k, t0, a, t1, b)?);
            } else if along * f64::from(s) * d0[k].to_f64() < 0.0
                && along * f64::from(s) * d1[k].to_f64() > 0.0
            {
                // Turned around inside the step: look for a value of the other sign.
                if let Some((tm, gm)) = self.dip(st, k, s, t0, t1, d0[k], d1[k])? {
                    found[k][0] = Some(self.locate(st, k, t0, a, tm, gm)?);
                    found[k][1] = Some(self.locate(st, k, tm, gm, t1, b)?);
                }
            }
            for slot in found[k].iter_mut() {
                if let Some(c) = *slot {
                    let wanted = match self.events.direction(k) {
                        Direction::Both => true,
                        Direction::Rising => c.rising,
                        Direction::Falling => !c.rising,
                    };
                    if !wanted {
                        *slot = None;
                    }
                }
            }
        }

        let first_after_restart = self.restart_at == Some(t0);
        // Occurrences in time order (ties by index), until one ends the step.
        let forward = h > S::Real::zero();
        let earlier = |a: S::Real, b: S::Real| if forward { a < b } else { a > b };
        let mut outcome = EventOutcome::Proceed;
        let mut cut: Option<S::Real> = None;
        loop {
            let mut next: Option<(usize, usize, S::Real)> = None;
            for k in 0..M {
                for (slot, c) in found[k].iter().enumerate() {
                    if let Some(c) = c {
                        let t = self.report_time(k, c);
                        if next.is_none_or(|(_, _, tn)| earlier(t, tn)) {
                            next = Some((k, slot, t));
                        }
                    }
                }
            }
            let Some((k, slot, t)) = next else { break };
            let c = found[k][slot]
                .take()
                .expect("chosen from the found crossings");
            if let Some(tc) = cut {
                // Only occurrences at the cut itself are still reported.
                let tol = root_tolerance(tc);
                if (t - tc).abs() > tol {
                    break;
                }
            }
            let action = self.events.action(k);
            if first_after_restart
                && self.last_reset[k].is_none_or(|(tr, _)| tr != t0)
                && self.reported[k].is_some_and(|tr| {
                    (c.after - tr).abs() <= root_tolerance(tr)
                        || (c.before - tr).abs() <= root_tolerance(tr)
                })
            {
                // Reported at the cut already; the restart went back a few ulps before it.
                continue;
            }
            if let Some((tr, _)) = self.last_reset[k] {
                // In the first step after the restart, the crossing is found again on the new
                // step's dense output, while the old step's (of length `h_k`) placed the
                // reset: their rounding differs by up to `ε (|t| + h_k)` times the size of
                // their weights — 8 ulps of `t = 1` for Tsit5 and HighamHall54 on `g = y − 1`,
                // `y' = 1` — so it is the same crossing within 64 times that.
                let slack = if t0 == tr {
                    S::Real::from_f64(64.0) * S::Real::epsilon() * (tr.abs() + self.reset_step[k])
                } else {
                    S::Real::zero()
                };
                if (c.before - tr).abs() <= root_tolerance(tr) + slack {
                    // The crossing that caused the reset, once more: if the reset left `g_k`
                    // heading for zero (a reset that changed other components), it is the same
                    // occurrence carried through the restart; if the reset turned `g_k` away
                    // and it crossed again at once, the events accumulate.
                    let toward = action == EventAction::ResetState
                        && t0 == tr
                        && along * f64::from(sign(self.g0[k])) * d0[k].to_f64() < 0.0;
                    if toward {
                        continue;
                    }
                    return Err(Error::EventsAccumulate {
                        event: k,
                        t: tr.to_f64(),
                    });
                }
            }
            self.total += 1;
            if self.total > self.max_occurrences {
                return Err(Error::TooManyEvents {
                    limit: self.max_occurrences,
                    t: t.to_f64(),
                });
            }
            self.counts[k] = self.counts[k].saturating_add(1);
            self.reported[k] = Some(t);
            let y = if t == t1 { y1 } else { st.dense(t)? };
            report(&Occurrence {
                event: k,
                t,
                y,
                direction: if c.rising {
                    Direction::Rising
                } else {
                    Direction::Falling
                },
                count: self.counts[k],
            });
            if cut.is_some() {
                continue;
            }
            let terminal = self
                .events
                .terminal(k)
                .is_some_and(|n| self.counts[k] >= n.max(1))
                || action == EventAction::Stop;
            if terminal {
                outcome = EventOutcome::Stop { event: k, t, y };
                cut = Some(t);
            } else if action == EventAction::ResetState || action == EventAction::ResetDerivatives {
                let mut y_new = y;
                if action == EventAction::ResetState {
                    self.events.reset(k, t, &mut y_new);
                }
                self.last_reset[k] = Some((t, c.rising));
                self.reset_step[k] = h.abs();
                self.restart_at = Some(t);
                outcome = EventOutcome::Restart {
                    event: k,
                    t,
                    y: y_new,
                };
                cut = Some(t);
            }
        }
        if cut.is_none() {
            self.t0 = t1;
            self.y0 = y1;
            self.f0 = f1;
            self.g0 = g1;
            self.d0 = Some(d1);
        }
        Ok(outcome)
    }

    /// After the stepper was restarted (an [`EventOutcome::Restart`]), takes up watching from
    /// its new point.
    ///
    /// # Errors
    /// [`Error::NonFiniteEventValue`] when an event function is not finite there.
    pub fn restarted<St: Stepper<S, N> + ?Sized>(&mut self, st: &St) -> Result<(), Error> {
        self.t0 = st.t();
        self.y0 = *st.y();
        self.f0 = *st.f();
        self.g0 = self.values(self.t0, &self.y0)?;
        self.d0 = None;
        // A function that a reset left exactly at zero counts as being on the side it came
        // from, so that crossing again (a ball that did not leave the floor) is seen.
        for k in 0..M {
            if let Some((tr, rising)) = self.last_reset[k] {
                if tr == self.t0
                    && self.g0[k] == S::Real::zero()
                    && self.events.action(k) == EventAction::ResetState
                {
                    let tiny = S::Real::min_positive_value();
                    self.g0[k] = if rising { -tiny } else { tiny };
                }
            }
        }
        Ok(())
    }

    /// The time reported for a crossing of event `k` (see the module documentation).
    fn report_time(&self, k: usize, c: &Crossing<S::Real>) -> S::Real {
        if self.events.action(k) == EventAction::ResetState
            && self
                .events
                .terminal(k)
                .is_none_or(|n| self.counts[k] + 1 < n.max(1))
        {
            c.before
        } else {
            c.after
        }
    }

    /// Looks for a value of sign `−s` of `g_k` inside `(t0, t1)`, where `g_k` has sign `s` at
    /// both ends and turns around in between: first where the linear interpolant of `ġ_k`
    /// vanishes, then by golden-section minimisation of `s g_k`.
    #[allow(clippy::too_many_arguments)]
    fn dip<St: Stepper<S, N> + ?Sized>(
        &self,
        st: &mut St,
        k: usize,
        s: i8,
        t0: S::Real,
        t1: S::Real,
        d0: S::Real,
        d1: S::Real,
    ) -> Result<Option<Sample<S::Real>>, Error> {
        let sr = if s > 0 {
            S::Real::one()
        } else {
            -S::Real::one()
        };
        let h = t1 - t0;
        let theta = d0 / (d0 - d1);
        let tm = t0 + h * theta;
        let gm = self.g_at(st, tm)?[k];
        if sign(gm) != s {
            return Ok(Some((tm, gm)));
        }
        // Golden section on [t0, t1] for the minimum of s g.
        let inv_phi = S::Real::from_f64(0.618_033_988_749_894_9);
        let (mut a, mut b) = (t0, t1);
        let mut x1 = b - (b - a) * inv_phi;
        let mut x2 = a + (b - a) * inv_phi;
        let mut f1 = sr * self.g_at(st, x1)?[k];
        let mut f2 = sr * self.g_at(st, x2)?[k];
        for _ in 0..EXTREMUM_SEARCH {
            if f1 <= S::Real::zero() {
                return Ok(Some((x1, sr * f1)));
            }
            if f2 <= S::Real::zero() {
                return Ok(Some((x2, sr * f2)));
            }
            if f1 < f2 {
                b = x2;
                x2 = x1;
                f2 = f1;
                x1 = b - (b - a) * inv_phi;
                f1 = sr * self.g_at(st, x1)?[k];
            } else {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + (b - a) * inv_phi;
                f2 = sr * self.g_at(st, x2)?[k];
            }
        }
        Ok(None)
    }

    /// Brent's method for the root of `g_k` on the dense output between `ta` (value `ga`, not
    /// zero) and `tb` (value `gb` of the other sign, or zero), to a few ulps.
    fn locate<St: Stepper<S, N> + ?Sized>(
        &self,
        st: &mut St,
        k: usize,
        ta: S::Real,
        ga: S::Real,
        tb: S::Real,
        gb: S::Real,
    ) -> Result<Crossing<S::Real>, Error> {
        let rising = ga < S::Real::zero();
        let (before, after) = brent(ta, ga, tb, gb, |t| Ok(self.g_at(st, t)?[k]))?;
        Ok(Crossing {
            before,
            after,
            rising,
        })
    }
}

/// `-1`, `0` or `1`.
#[inline]
fn sign<R: Real>(x: R) -> i8 {
    if x > R::zero() {
        1
    } else if x < R::zero() {
        -1
    } else {
        0
    }
}

/// How far apart two located roots near `t` may be and still count as the same time.
#[inline]
fn root_tolerance<R: Real>(t: R) -> R {
    R::from_f64(4.0) * R::epsilon() * t.abs() + R::min_positive_value()
}

/// Brent's zero finder (Brent 1973, ch. 4, the `zeroin` algorithm: bisection safeguarding
/// inverse quadratic and secant steps) on `[a, b]` with `g(a) = ga ≠ 0` and `g(b) = gb` of the
/// other sign or zero. Returns `(before, after)`: the final bracket's end on `a`'s side of the
/// root and the end on `b`'s side (where `g` is zero or has `gb`'s sign); they differ by at most
/// `4 ε |t|` plus the smallest normal number.
fn brent<R: Real>(
    a: R,
    ga: R,
    b: R,
    gb: R,
    mut g: impl FnMut(R) -> Result<R, Error>,
) -> Result<(R, R), Error> {
    if gb == R::zero() {
        return Ok((b, b));
    }
    let two = R::from_f64(2.0);
    let three = R::from_f64(3.0);
    let half = R::from_f64(0.5);
    // b: best estimate; c: contrapoint (g(b), g(c) of opposite signs); a: previous b.
    let (mut pa, mut fa) = (a, ga);
    let (mut pb, mut fb) = (b, gb);
    let (mut pc, mut fc) = (pa, fa);
    let mut d = pb - pa;
    let mut e = d;
    for _ in 0..MAX_BRENT {
        if sign(fb) == sign(fc) {
            pc = pa;
            fc = fa;
            d = pb - pa;
            e = d;
        }
        if fc.abs() < fb.abs() {
            pa = pb;
            pb = pc;
            pc = pa;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = two * R::epsilon() * pb.abs() + half * R::min_positive_value();
        let m = half * (pc - pb);
        if m.abs() <= tol || fb == R::zero() {
            break;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            // Interpolation: secant if only two distinct points, else inverse quadratic.
            let sr = fb / fa;
            let (mut p, mut q);
            if pa == pc {
                p = two * m * sr;
                q = R::one() - sr;
            } else {
                let qr = fa / fc;
                let r = fb / fc;
                p = sr * (two * m * qr * (qr - r) - (pb - pa) * (r - R::one()));
                q = (qr - R::one()) * (r - R::one()) * (sr - R::one());
            }
            if p > R::zero() {
                q = -q;
            } else {
                p = -p;
            }
            if two * p < (three * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        pa = pb;
        fa = fb;
        pb = if d.abs() > tol {
            pb + d
        } else if m > R::zero() {
            pb + tol
        } else {
            pb - tol
        };
        fb = g(pb)?;
    }
    // The bracket is [b, c]: order its ends by side of the root.
    if fb == R::zero() {
        return Ok((pb, pb));
    }
    if sign(fb) == sign(ga) {
        Ok((pb, pc))
    } else {
        Ok((pc, pb))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brent on functions with known roots: the bracket ends straddle the root and are a few
    /// ulps apart.
    #[test]
    fn brent_brackets_known_roots() {
        type Case = (fn(f64) -> f64, f64, f64, f64);
        let cases: [Case; 4] = [
            (|t| t * t - 2.0, 0.0, 2.0, core::f64::consts::SQRT_2),
            (|t| (t).cos(), 0.0, 3.0, core::f64::consts::FRAC_PI_2),
            (|t| (t - 1.0).powi(3), 3.0, -1.0, 1.0),
            (|t| 1e-300 * (t - 0.25), 0.0, 1.0, 0.25),
        ];
        for (f, a, b, root) in cases {
            let (before, after) = brent(a, f(a), b, f(b), |t| Ok(f(t))).unwrap();
            assert!(
                (before - root).abs() <= 8.0 * f64::EPSILON * root.abs(),
                "{before} vs {root}"
            );
            assert!((after - root).abs() <= 8.0 * f64::EPSILON * root.abs());
            assert!(f(before) == 0.0 || f(before).signum() == f(a).signum());
            assert!(f(after) == 0.0 || f(after).signum() == f(b).signum());
        }
    }
}

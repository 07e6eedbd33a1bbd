//! The controllers of the implicit methods with their own control: they alone accept or
//! reject an attempt and propose the next step and, for the variable-order methods, the next
//! order; the steppers carry out what they decide. (The explicit and Rosenbrock methods take
//! theirs from [`crate::control`].)
//!
//! - [`RadauStepControl`]: *Solving ODEs II*, IV.8: `h_new = h / quot`, `quot = err^{1/(s+1)} /
//!   fac` bounded to `[1/8, 5]`, with the safety factor `fac = min(0.9, 0.9 (2 NIT + 1)/(newt +
//!   2 NIT))` that shortens steps whose Newton iteration was slow; after a second accepted step,
//!   Gustafsson's predictive divisor `(h_{n−1}/h_n) (err_n²/err_{n−1})^{1/(s+1)} / 0.9` (eq.
//!   (8.25)) when larger; a rejected first step is cut by 10.
//! - [`RadauOrderControl`]: Hairer & Wanner, *Stiff differential equations solved by Radau
//!   methods*, J. Comput. Appl. Math. 111 (1999), Section 5, as RADAU decides before every
//!   factorisation (see [`super::radau`]'s module docs for the rules).
//! - [`BdfControl`]: SciPy's `BDF` (after Shampine & Reichelt, *The MATLAB ODE Suite*, 1997,
//!   §2.3): `factor = safety · err^{−1/(k+1)}` with `safety = 0.9 (2 NEWTON_MAXITER + 1)/(2
//!   NEWTON_MAXITER + n_iter)`; after `k + 1` steps of one size at order `k`, the order among
//!   `k − 1, k, k + 1` whose estimate allows the largest step, the ratio at most 10.

use crate::control::kth_root;
use crate::scalar::Real;

/// Safety factor of the step-size formula (`SAFE`).
const SAFE: f64 = 0.9;
/// `h_new / h` bounds: `1/FACL ≤ h_new/h ≤ 1/FACR`.
const FACL: f64 = 5.0;
const FACR: f64 = 0.125;
/// Raise the order while the smoothed contraction rate is at most this (`VITU`)...
const VITU: f64 = 0.002;
/// ... lower it when the rate reaches this (`VITD`).
const VITD: f64 = 0.8;
/// Raise the order only when the step changes by a ratio in `(HHOD, HHOU)`.
const HHOU: f64 = 1.2;
const HHOD: f64 = 0.8;
/// Refactorisations after an order change before the order may rise again.
const CHANGE_WAIT: u32 = 10;

/// Most Newton iterations of a BDF attempt (SciPy's `NEWTON_MAXITER`).
pub(super) const NEWTON_MAXITER: usize = 4;
/// The smallest ratio after a rejection, the largest after an order decision.
const BDF_MIN_FACTOR: f64 = 0.2;
const BDF_MAX_FACTOR: f64 = 10.0;
/// The highest BDF order.
pub(super) const BDF_MAX_ORDER: usize = 5;

/// The step-size controller's verdict on an attempt.
pub(super) enum Verdict<R> {
    /// Accepted: the divisor `quot` of the step proposed so far (`h_new = h / quot`), before
    /// [`RadauStepControl::accepted`] adds Gustafsson's prediction.
    Accept { quot: R },
    /// Rejected: the factor by which the step is to be multiplied.
    Reject { factor: R },
}

/// RADAU5's and RADAU's step-size control, with its memory.
#[derive(Debug, Clone, Copy)]
pub(super) struct RadauStepControl<R> {
    /// The step and error (floored at 1e-2) of the last accepted step, for Gustafsson's
    /// controller.
    gustafsson: Option<(R, R)>,
    /// No step accepted yet since the start or a restart (RADAU5's `FIRST`).
    pub first: bool,
    /// The attempt being made follows a rejection (RADAU5's `REJECT`).
    pub reject: bool,
}

impl<R: Real> RadauStepControl<R> {
    /// No history: the start of an integration or of a restart.
    pub fn new() -> Self {
        RadauStepControl {
            gustafsson: None,
            first: true,
            reject: false,
        }
    }

    /// Judges an attempt of step `h` with the `s`-stage method whose Newton iteration took
    /// `newt` of at most `nit` iterations and whose error estimate is `err`.
    #[inline(always)]
    pub fn judge(&self, err: R, h: R, newt: usize, nit: usize, s: usize) -> Verdict<R> {
        let c = |x: f64| R::from_f64(x);
        let fac =
            c(SAFE).min(c(SAFE * (1.0 + 2.0 * nit as f64)) / R::from_f64((newt + 2 * nit) as f64));
        let quot = c(FACR).max(c(FACL).min(root(err, s) / fac));
        if err < R::one() {
            return Verdict::Accept { quot };
        }
        Verdict::Reject {
            factor: if self.first { c(0.1) } else { (h / quot) / h },
        }
    }

    /// A rejection, by [`judge`](Self::judge) or for a failed attempt: the next accepted step
    /// may not grow past this one, and its error estimate is refined.
    #[inline(always)]
    pub fn rejected(&mut self) {
        self.reject = true;
    }

    /// The step `h` with error `err` was accepted at the divisor `quot` of
    /// [`judge`](Self::judge): the proposed next step, with Gustafsson's predictive divisor
    /// (eq. (8.25)) when it is larger — skipped on the step after an order change (`changed`),
    /// which also leaves the memory as it was.
    #[inline(always)]
    pub fn accepted(&mut self, h: R, err: R, quot: R, s: usize, changed: bool) -> R {
        let c = |x: f64| R::from_f64(x);
        self.first = false;
        if changed {
            return h / quot;
        }
        let mut h_new = h / quot;
        if let Some((h_acc, err_acc)) = self.gustafsson {
            let facgus = (h_acc / h) * root(err * err / err_acc, s) / c(SAFE);
            h_new = h / quot.max(c(FACR).max(c(FACL).min(facgus)));
        }
        self.gustafsson = Some((h, err.max(c(1e-2))));
        h_new
    }
}

/// `x^{1/(s+1)}`, the root of an `s`-stage error estimate (of order `s`).
#[inline(always)]
fn root<R: Real>(x: R, s: usize) -> R {
    kth_root(x, R::from_f64(s as f64 + 1.0))
}

/// RADAU's order selection, with its memory.
#[derive(Debug, Clone, Copy)]
pub(super) struct RadauOrderControl<R> {
    /// The range of stages (RADAU's `NSMIN`, `NSMAX`).
    pub min_stages: usize,
    pub max_stages: usize,
    /// RADAU's smoothed contraction rate `THETAT`.
    theta_smooth: R,
    /// The iterations of the last Newton iteration.
    newt_last: usize,
    /// Refactorisations since the last order change.
    since_change: u32,
    /// The last Newton iteration failed, or asked to halve the step.
    failed_newton: bool,
    cut_newton: bool,
    /// The order changed at the last decision.
    pub changed: bool,
}

impl<R: Real> RadauOrderControl<R> {
    /// Orders between `min_stages` and `max_stages` stages (3, 5 or 7), no history.
    pub fn new(min_stages: usize, max_stages: usize) -> Self {
        RadauOrderControl {
            min_stages,
            max_stages,
            theta_smooth: R::zero(),
            newt_last: 0,
            since_change: 0,
            failed_newton: false,
            cut_newton: false,
            changed: false,
        }
    }

    /// Whether the order is fixed.
    #[inline(always)]
    pub fn fixed(&self) -> bool {
        self.min_stages == self.max_stages
    }

    /// A Newton iteration is under way at its `k`-th iterate.
    #[inline(always)]
    pub fn iterated(&mut self, k: usize) {
        self.newt_last = k;
    }

    /// The Newton iteration failed (diverged, too slow, or a singular matrix).
    #[inline(always)]
    pub fn newton_failed(&mut self) {
        self.failed_newton = true;
    }

    /// The Newton iteration asked to shrink the step by `factor`.
    #[inline(always)]
    pub fn newton_shrunk(&mut self, factor: f64) {
        if factor <= 0.5 {
            self.cut_newton = true;
        }
    }

    /// RADAU's label 30, before an attempt on kept factorisations with `s` stages: a run of ten
    /// such attempts below the top order forces a new decision (`true`: refactor).
    #[inline(always)]
    pub fn reusing(&mut self, s: usize) -> bool {
        if self.fixed() {
            return false;
        }
        self.since_change += 1;
        self.since_change >= CHANGE_WAIT && s < self.max_stages
    }

    /// The decision before every factorisation (RADAU's label 20), for the attempt of step
    /// `h` after the accepted step `h_old` (zero if none) with `s` stages and the last
    /// contraction rate `theta`: the number of stages to use.
    pub fn decide(&mut self, s: usize, theta: R, h: R, h_old: R) -> usize {
        if self.fixed() {
            return s;
        }
        let c = |x: f64| R::from_f64(x);
        let mut s_new = s;
        self.since_change += 1;
        let hquot = if h_old.is_zero() { R::one() } else { h / h_old };
        self.theta_smooth = c(10.0).min(theta.max(self.theta_smooth * c(0.5)));
        if self.newt_last > 1 && self.theta_smooth <= c(VITU) && hquot < c(HHOU) && hquot > c(HHOD)
        {
            s_new = self.max_stages.min(s + 2);
        }
        if self.theta_smooth >= c(VITD) || self.failed_newton || self.cut_newton {
            s_new = self.min_stages.max(s - 2);
        }
        if self.since_change <= CHANGE_WAIT {
            s_new = s_new.min(s);
        }
        self.changed = s_new != s;
        self.failed_newton = false;
        self.cut_newton = false;
        if self.changed {
            self.since_change = 1;
        }
        s_new
    }
}

/// SciPy's BDF step-size and order control, with its memory (the steps taken at the current
/// size and order).
#[derive(Debug, Clone, Copy)]
pub(super) struct BdfControl {
    /// Steps accepted since the last change of the step size or the order.
    equal_steps: usize,
}

impl BdfControl {
    /// No history.
    pub fn new() -> Self {
        BdfControl { equal_steps: 0 }
    }

    /// The step size or the order changed: the count of equal steps starts again.
    #[inline(always)]
    pub fn changed(&mut self) {
        self.equal_steps = 0;
    }

    /// The safety factor for an attempt whose Newton iteration took `n_iter` iterations.
    #[inline(always)]
    pub fn safety<R: Real>(n_iter: usize) -> R {
        R::from_f64(0.9 * (2.0 * NEWTON_MAXITER as f64 + 1.0))
            / R::from_f64((2 * NEWTON_MAXITER + n_iter) as f64)
    }

    /// Judges an attempt at order `order` with the error norm `err` and the safety factor
    /// `safety`: `None` to accept, or the factor by which the rejected step is to be
    /// multiplied (one half when the norm is not finite).
    #[inline(always)]
    pub fn reject_factor<R: Real>(err: R, order: usize, safety: R) -> Option<R> {
        if !(err.is_nan() || err > R::one()) {
            return None;
        }
        Some(if err.is_finite() {
            (safety * err.powf(-R::one() / R::from_f64((order + 1) as f64)))
                .max(R::from_f64(BDF_MIN_FACTOR))
        } else {
            R::from_f64(0.5)
        })
    }

    /// A step was accepted at order `order`: whether an order decision is due (after
    /// `order + 1` steps of one size).
    #[inline(always)]
    pub fn accepted(&mut self, order: usize) -> bool {
        self.equal_steps += 1;
        self.equal_steps > order
    }

    /// The order decision: from the error norms `[order − 1, order, order + 1]` (infinite where
    /// the order does not exist), the new order and the step ratio.
    pub fn decide<R: Real>(&mut self, order: usize, norms: [R; 3], safety: R) -> (usize, R) {
        let mut best = 0usize;
        let mut best_factor = R::neg_infinity();
        for (m, n) in norms.iter().enumerate() {
            let expo = -R::one() / R::from_f64((order + m) as f64);
            let f = if n.is_zero() {
                R::infinity()
            } else {
                n.powf(expo)
            };
            // NaN-free: an infinite norm gives factor 0.
            if f > best_factor {
                best_factor = f;
                best = m;
            }
        }
        self.equal_steps = 0;
        (
            order + best - 1,
            (safety * best_factor).min(R::from_f64(BDF_MAX_FACTOR)),
        )
    }
}

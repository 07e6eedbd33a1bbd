//! The simplified Newton iteration of the implicit methods: one control, two stopping rules.
//!
//! Every implicit method solves its stage equations by simplified Newton, `M Δ_k = −G(z_k)`,
//! `z_{k+1} = z_k + Δ_k`, with a fixed iteration matrix `M`. What differs between the codes is
//! only when to stop. [`NewtonIteration`] keeps the count and the cap and asks a
//! [`StoppingRule`], told the scaled norm `‖Δ_k‖` of every correction, whether the iteration
//! diverges (before the correction is applied) and whether it has converged (after):
//!
//! - [`RadauRule`]: Hairer's RADAU5 and RADAU (*Solving ODEs II*, IV.8, eqs. (8.9)–(8.11)):
//!   the contraction rate `Θ_k = ‖Δ_k‖/‖Δ_{k−1}‖` (from the third iterate on, the geometric
//!   mean of the last two), abandoned when `Θ ≥ 0.99`, or — predicting the norm after the
//!   iterations left, `Θ^{left}/(1 − Θ) ‖Δ_k‖` — shrunk early by the factor that would let it
//!   converge; converged when `Θ/(1 − Θ) ‖Δ_k‖ ≤ κ Tol` (`FNEWT`);
//! - [`ScipyRule`]: SciPy's `solve_bdf_system` for BDF (after Shampine & Reichelt, *The MATLAB
//!   ODE Suite*, §2.3): the rate `‖Δ_k‖/‖Δ_{k−1}‖`, a failure when it reaches 1 or when the
//!   predicted norm after the iterations left exceeds the tolerance, convergence when
//!   `rate/(1 − rate) ‖Δ_k‖ < tol` or `Δ_k = 0`.
//!
//! The decisions are the codes' own, operation for operation: the runs that reproduce Hairer's
//! RADAU5 and RADAU counters exactly do so through this module.

use super::radau::{Faccon, THET};
use crate::scalar::Real;
use crate::stepper::Stats;

/// How a Newton iteration ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Newton {
    /// Converged after this many iterations.
    Converged(usize),
    /// Predicted not to converge in time: retry with the step scaled by this factor.
    Shrink(f64),
    /// Diverged, ran out of iterations or met non-finite values.
    Failed,
}

/// When a simplified Newton iteration stops.
pub(super) trait StoppingRule<R: Real> {
    /// After the `k`-th correction (`k ≥ 1`) of norm `norm`, before it is applied: `Some` to
    /// stop here.
    fn diverging(&mut self, k: usize, norm: R) -> Option<Newton>;
    /// After the `k`-th correction is applied: whether the iteration has converged.
    fn converged(&mut self, k: usize, norm: R) -> bool;
}

/// The count and cap of one Newton iteration, its decisions delegated to a [`StoppingRule`].
pub(super) struct NewtonIteration<Rule> {
    rule: Rule,
    cap: usize,
    done: usize,
}

impl<Rule> NewtonIteration<Rule> {
    /// An iteration of at most `cap` corrections.
    pub(super) fn new(rule: Rule, cap: usize) -> Self {
        NewtonIteration { rule, cap, done: 0 }
    }

    /// The corrections computed so far.
    #[inline(always)]
    pub(super) fn iterations(&self) -> usize {
        self.done
    }

    /// Before a correction: `Err(Newton::Failed)` when the cap is reached.
    #[inline(always)]
    pub(super) fn next(&self) -> Result<(), Newton> {
        if self.done >= self.cap {
            Err(Newton::Failed)
        } else {
            Ok(())
        }
    }

    /// The correction just computed has norm `norm`: `Some` to stop before applying it
    /// (`Failed` for a non-finite norm).
    #[inline(always)]
    pub(super) fn corrected<R: Real>(&mut self, norm: R) -> Option<Newton>
    where
        Rule: StoppingRule<R>,
    {
        self.done += 1;
        if !norm.is_finite() {
            return Some(Newton::Failed);
        }
        self.rule.diverging(self.done, norm)
    }

    /// Counts the iteration that ended with `outcome` in `stats` (its iterations, and a failure
    /// unless it converged), and returns `outcome`.
    #[inline]
    pub(super) fn count(&self, outcome: Newton, stats: &mut Stats) -> Newton {
        stats.n_newton_iters += self.done;
        if !matches!(outcome, Newton::Converged(_)) {
            stats.n_newton_failures += 1;
        }
        outcome
    }

    /// The correction of norm `norm` was applied: `Some(Converged)` when the iteration has
    /// converged.
    #[inline(always)]
    pub(super) fn applied<R: Real>(&mut self, norm: R) -> Option<Newton>
    where
        Rule: StoppingRule<R>,
    {
        self.rule
            .converged(self.done, norm)
            .then_some(Newton::Converged(self.done))
    }
}

/// Hairer's RADAU5/RADAU rule (module docs). It updates the method's contraction rate `theta`
/// (the Jacobian-reuse and order decisions read it) and its [`Faccon`].
pub(super) struct RadauRule<'a, R> {
    faccon: &'a mut Faccon<R>,
    theta: &'a mut R,
    /// `κ Tol` (RADAU5's `FNEWT`).
    fnewt: R,
    /// The iteration cap (`NIT`), which the prediction counts down to.
    nit: usize,
    norm_old: R,
    rate_old: R,
}

impl<'a, R: Real> RadauRule<'a, R> {
    /// The start of an iteration: one more of RADAU5's powers of `FACCON` owed, `Θ = THET`.
    pub(super) fn new(faccon: &'a mut Faccon<R>, theta: &'a mut R, fnewt: R, nit: usize) -> Self {
        faccon.start_iteration();
        *theta = R::from_f64(THET);
        RadauRule {
            faccon,
            theta,
            fnewt,
            nit,
            norm_old: R::zero(),
            rate_old: R::zero(),
        }
    }
}

impl<R: Real> StoppingRule<R> for RadauRule<'_, R> {
    #[inline(always)]
    fn diverging(&mut self, newt: usize, dyno: R) -> Option<Newton> {
        let c = |x: f64| R::from_f64(x);
        if newt > 1 && newt < self.nit {
            let thq = dyno / self.norm_old;
            *self.theta = if newt == 2 {
                thq
            } else {
                (thq * self.rate_old).sqrt()
            };
            self.rate_old = thq;
            let theta = *self.theta;
            if theta < c(0.99) {
                let faccon = self.faccon.set_from(theta);
                let left = (self.nit - 1 - newt) as i32;
                let dyth = faccon * dyno * theta.powi(left) / self.fnewt;
                if dyth >= R::one() {
                    let qnewt = dyth.min(c(20.0)).max(c(1e-4));
                    let hhfac = c(0.8) * qnewt.powf(-R::one() / R::from_f64(4.0 + left as f64));
                    return Some(Newton::Shrink(hhfac.to_f64()));
                }
            } else {
                return Some(Newton::Failed);
            }
        }
        self.norm_old = dyno.max(R::epsilon());
        None
    }

    #[inline(always)]
    fn converged(&mut self, _newt: usize, dyno: R) -> bool {
        self.faccon.converged(dyno, self.fnewt)
    }
}

/// SciPy's BDF rule (module docs), with the tolerance `tol` and the cap `max_iter`.
pub(super) struct ScipyRule<R> {
    tol: R,
    max_iter: usize,
    norm_old: Option<R>,
    rate: Option<R>,
}

impl<R: Real> ScipyRule<R> {
    /// A new iteration.
    pub(super) fn new(tol: R, max_iter: usize) -> Self {
        ScipyRule {
            tol,
            max_iter,
            norm_old: None,
            rate: None,
        }
    }
}

impl<R: Real> StoppingRule<R> for ScipyRule<R> {
    #[inline(always)]
    fn diverging(&mut self, k: usize, norm: R) -> Option<Newton> {
        self.rate = self.norm_old.map(|old| norm / old);
        if let Some(rate) = self.rate {
            // SciPy counts its iterations from 0: `k − 1` of ours.
            let left = (self.max_iter - (k - 1)) as i32;
            if rate >= R::one() || rate.powi(left) / (R::one() - rate) * norm > self.tol {
                return Some(Newton::Failed);
            }
        }
        None
    }

    #[inline(always)]
    fn converged(&mut self, _k: usize, norm: R) -> bool {
        let done = norm.is_zero()
            || self
                .rate
                .is_some_and(|rate| rate / (R::one() - rate) * norm < self.tol);
        self.norm_old = Some(norm);
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_rule_stops_as_solve_bdf_system() {
        // Norms shrinking by 1/10: the second iterate's rate 0.1 gives 0.1/0.9 · 1e-3 < 1e-3.
        let mut it = NewtonIteration::new(ScipyRule::new(1e-3, 4), 4);
        let mut out = None;
        for norm in [1e-2, 1e-3, 1e-4] {
            assert!(it.next().is_ok());
            assert_eq!(it.corrected(norm), None);
            out = it.applied(norm);
            if out.is_some() {
                break;
            }
        }
        assert_eq!(out, Some(Newton::Converged(2)));
        // A growing norm fails at once, before its correction is applied.
        let mut it = NewtonIteration::new(ScipyRule::new(1e-3, 4), 4);
        assert!(it.next().is_ok() && it.corrected(1e-2).is_none());
        assert_eq!(it.applied(1e-2), None);
        assert!(it.next().is_ok());
        assert_eq!(it.corrected(2e-2), Some(Newton::Failed));
        // A non-finite norm fails; the cap stops the iteration.
        let mut it = NewtonIteration::new(ScipyRule::new(1e-3, 4), 1);
        assert_eq!(it.corrected(f64::NAN), Some(Newton::Failed));
        assert_eq!(it.next(), Err(Newton::Failed));
    }

    #[test]
    fn radau_rule_predicts_slow_convergence_and_shrinks() {
        // Θ = 0.9 from the second iterate, tolerance far below: the prediction
        // Θ/(1 − Θ) · Θ^{left} · ‖Δ‖ / FNEWT ≥ 1 asks for a smaller step, by RADAU5's factor.
        let (mut faccon, mut theta) = (Faccon::new(), 0.0);
        let mut it = NewtonIteration::new(RadauRule::new(&mut faccon, &mut theta, 1e-6, 7), 7);
        assert!(it.corrected(1.0).is_none());
        assert_eq!(it.applied(1.0), None);
        match it.corrected(0.9) {
            Some(Newton::Shrink(f)) => {
                let left = 7 - 1 - 2;
                let dyth: f64 = 9.0 * 0.9 * 0.9f64.powi(left) / 1e-6;
                let expect = 0.8 * dyth.min(20.0).powf(-1.0 / (4.0 + left as f64));
                assert_eq!(f, expect);
            }
            other => panic!("{other:?}"),
        }
        // Θ ≥ 0.99: divergence.
        let (mut faccon, mut theta) = (Faccon::new(), 0.0);
        let mut it = NewtonIteration::new(RadauRule::new(&mut faccon, &mut theta, 1e-6, 7), 7);
        assert!(it.corrected(1.0).is_none());
        it.applied(1.0);
        assert_eq!(it.corrected(1.5), Some(Newton::Failed));
        assert_eq!(theta, 1.5);
    }
}

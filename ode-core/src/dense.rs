//! Dense output: the continuous solution between and across steps.
//!
//! Every stepper describes its last step by a polynomial in the normalised time
//! `θ = (t − t_prev)/h ∈ [0, 1]`, written in monomial form `y(t_prev + θh) = Σ_k c_k θ^k`
//! ([`crate::Stepper::dense_coefficients`]) and evaluated by Horner's rule. Methods whose
//! interpolant is given otherwise (Hairer's nested form for DOP853, Hermite data for
//! fixed-step methods) convert to this form once per step, so a stored solution is one
//! representation for all methods.
//!
//! The derivative of the solution comes from the same polynomial:
//! `y'(t_prev + θh) = (1/h) Σ_k k c_k θ^{k−1}` ([`crate::Stepper::dense_derivative`],
//! [`crate::StepView::eval_derivative`]), as Commons Math's interpolators give "both the state
//! and its derivative between the time steps".
//!
//! With `alloc`, [`DenseSolution`] stores those polynomials step after step and evaluates the
//! solution and its derivative anywhere in the integrated span (SciPy's `OdeSolution`).

use crate::scalar::{Real, Scalar};

/// `Σ_k c[k] θ^k` by Horner's rule.
#[inline]
pub(crate) fn horner<S: Scalar, const N: usize>(c: &[[S; N]], theta: S::Real) -> [S; N] {
    let mut out = c[c.len() - 1];
    for ck in c[..c.len() - 1].iter().rev() {
        for i in 0..N {
            out[i] = out[i] * theta + ck[i];
        }
    }
    out
}

/// `Σ_k k c[k] θ^{k−1}`, the derivative in `θ` of [`horner`]'s polynomial, by Horner's rule.
#[inline]
pub(crate) fn horner_derivative<S: Scalar, const N: usize>(c: &[[S; N]], theta: S::Real) -> [S; N] {
    let mut out = [S::zero(); N];
    for k in (1..c.len()).rev() {
        let kr = S::from_real(S::Real::from_f64(k as f64));
        for i in 0..N {
            out[i] = out[i] * S::from_real(theta) + c[k][i] * kr;
        }
    }
    out
}

/// The most terms any method's interpolant has (DOP853's and RADAU's degree 7):
/// the size of the buffer [`crate::Stepper::dense_derivative`] needs.
pub const MAX_DENSE_TERMS: usize = 8;

/// Monomial coefficients of the cubic Hermite interpolant on `[t0, t0 + h]` through
/// `(y0, f0)` and `(y1, f1)`: `y(θ) = y0 + θ h f0 + θ² (3Δ − h(2 f0 + f1)) + θ³ (h(f0 + f1) − 2Δ)`
/// with `Δ = y1 − y0`.
pub(crate) fn hermite<S: Scalar, const N: usize>(
    y0: &[S; N],
    y1: &[S; N],
    f0: &[S; N],
    f1: &[S; N],
    h: S::Real,
    out: &mut [[S; N]],
) {
    let two = S::Real::from_f64(2.0);
    let three = S::Real::from_f64(3.0);
    for i in 0..N {
        let d = y1[i] - y0[i];
        out[0][i] = y0[i];
        out[1][i] = f0[i] * h;
        out[2][i] = d * three - (f0[i] * two + f1[i]) * h;
        out[3][i] = (f0[i] + f1[i]) * h - d * two;
    }
}

#[cfg(feature = "alloc")]
pub use solution::DenseSolution;

#[cfg(feature = "alloc")]
mod solution {
    use super::{horner, horner_derivative};
    use crate::error::Error;
    use crate::handler::{StepHandler, StepView};
    use crate::scalar::{Real, Scalar};
    use crate::stepper::Stepper;
    use alloc::vec::Vec;
    use num_traits::{Float, Zero};

    /// The piecewise-polynomial solution of a whole integration (SciPy's `OdeSolution`).
    ///
    /// ```
    /// use ode_core::{DenseSolution, OdeSystem, Rk23, Stepper, Tolerances};
    /// struct Decay;
    /// impl OdeSystem<1> for Decay {
    ///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
    /// }
    /// let mut rk = Rk23::new(Decay, 0.0, [1.0], 3.0, Tolerances::new(1e-8, 1e-10))?;
    /// let mut sol = DenseSolution::new();
    /// while !rk.is_finished() {
    ///     rk.step()?;
    ///     sol.push_step(&mut rk);
    /// }
    /// assert!((sol.eval(1.7)?[0] - (-1.7f64).exp()).abs() < 1e-7);
    /// assert!(sol.eval(3.5).is_err());
    /// # Ok::<(), ode_core::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub struct DenseSolution<S: Scalar, const N: usize> {
        /// Start and end time of each segment.
        bounds: Vec<(S::Real, S::Real)>,
        /// `offsets[i]..offsets[i + 1]` indexes the coefficients of segment `i`.
        offsets: Vec<usize>,
        coeffs: Vec<[S; N]>,
    }

    impl<S: Scalar, const N: usize> Default for DenseSolution<S, N> {
        fn default() -> Self {
            Self::new()
        }
    }

    impl<S: Scalar, const N: usize> DenseSolution<S, N> {
        /// An empty solution.
        pub fn new() -> Self {
            DenseSolution {
                bounds: Vec::new(),
                offsets: alloc::vec![0],
                coeffs: Vec::new(),
            }
        }

        /// Appends the last step of `stepper` (call after every accepted step).
        pub fn push_step<St: Stepper<S, N> + ?Sized>(&mut self, stepper: &mut St) {
            let terms = stepper.dense_terms();
            let start = self.coeffs.len();
            self.coeffs.resize(start + terms, [S::zero(); N]);
            stepper.dense_coefficients(&mut self.coeffs[start..]);
            self.bounds.push((stepper.t_prev(), stepper.t()));
            self.offsets.push(self.coeffs.len());
        }

        /// Appends one step as a handler sees it (cut where an event cut it); a step of zero
        /// length is skipped.
        pub fn push_view(&mut self, step: &mut StepView<'_, S, N>) {
            if step.h().is_zero() {
                return;
            }
            let terms = step.terms();
            let start = self.coeffs.len();
            self.coeffs.resize(start + terms, [S::zero(); N]);
            step.coefficients(&mut self.coeffs[start..]);
            self.bounds.push((step.t_start(), step.t_end()));
            self.offsets.push(self.coeffs.len());
        }

        /// Appends `other`, which must continue this solution: start where it ends (to a few
        /// ulps) and run in the same direction (Commons Math's `ContinuousOutputModel.append`).
        ///
        /// # Errors
        /// [`Error::InvalidOption`] when `other` does not continue this solution.
        pub fn append(&mut self, other: &DenseSolution<S, N>) -> Result<(), Error> {
            if let (Some((a, b)), Some((c, d))) = (self.span(), other.span()) {
                let slack = S::Real::from_f64(4.0) * S::Real::epsilon() * b.abs().max(c.abs());
                let same_dir = (b >= a) == (d >= c) || a == b || c == d;
                if (c - b).abs() > slack || !same_dir {
                    return Err(Error::InvalidOption {
                        what: "an appended solution must start where this one ends and run \
                               in the same direction",
                    });
                }
            }
            let shift = self.coeffs.len();
            self.coeffs.extend_from_slice(&other.coeffs);
            self.bounds.extend_from_slice(&other.bounds);
            self.offsets
                .extend(other.offsets[1..].iter().map(|&o| o + shift));
            Ok(())
        }

        /// The number of stored steps.
        pub fn n_segments(&self) -> usize {
            self.bounds.len()
        }

        /// The covered interval `(t_first, t_last)` in the direction of integration, or `None`
        /// when nothing is stored.
        pub fn span(&self) -> Option<(S::Real, S::Real)> {
            Some((self.bounds.first()?.0, self.bounds.last()?.1))
        }

        /// The segment holding `t`, its normalised time `θ` there, and its length `h`.
        fn locate(&self, t: S::Real) -> Result<(usize, S::Real, S::Real), Error> {
            let (a, b) = self.span().ok_or(Error::OutsideInterpolant {
                t: t.to_f64(),
                interval: (f64::NAN, f64::NAN),
            })?;
            let forward = b >= a;
            let (lo, hi) = if forward { (a, b) } else { (b, a) };
            let slack = S::Real::from_f64(4.0) * S::Real::epsilon() * lo.abs().max(hi.abs());
            if !(t >= lo - slack && t <= hi + slack) {
                return Err(Error::OutsideInterpolant {
                    t: t.to_f64(),
                    interval: (a.to_f64(), b.to_f64()),
                });
            }
            // The first segment whose end is at or beyond t (in the direction of integration).
            let i = self
                .bounds
                .partition_point(|&(_, end)| if forward { end < t } else { end > t })
                .min(self.bounds.len() - 1);
            let (t0, t1) = self.bounds[i];
            let h = t1 - t0;
            let theta = if h.is_zero() {
                S::Real::zero()
            } else {
                (t - t0) / h
            };
            Ok((i, theta, h))
        }

        /// The solution at `t`, anywhere in the covered span.
        pub fn eval(&self, t: S::Real) -> Result<[S; N], Error> {
            let (i, theta, _) = self.locate(t)?;
            Ok(horner(
                &self.coeffs[self.offsets[i]..self.offsets[i + 1]],
                theta,
            ))
        }

        /// The derivative `dy/dt` of the solution at `t`, anywhere in the covered span: the
        /// derivative of the step's interpolant (one-sided at a step's end, where two steps
        /// meet; it approximates `f(t, y(t))` to the interpolant's order).
        ///
        /// ```
        /// use ode_core::{solve_ivp, Method, OdeSystem, Options};
        /// struct Decay;
        /// impl OdeSystem<1> for Decay {
        ///     fn rhs(&self, _t: f64, y: &[f64; 1], dy: &mut [f64; 1]) { dy[0] = -y[0]; }
        /// }
        /// let sol = solve_ivp(&Decay, (0.0, 2.0), [1.0],
        ///                     Options::new(Method::Dop853).rtol(1e-10).atol(1e-12)
        ///                         .dense_output(true))?;
        /// let dy = sol.sol.unwrap().eval_derivative(1.3)?;
        /// assert!((dy[0] + (-1.3f64).exp()).abs() < 1e-8);
        /// # Ok::<(), ode_core::Error>(())
        /// ```
        pub fn eval_derivative(&self, t: S::Real) -> Result<[S; N], Error> {
            let (i, theta, h) = self.locate(t)?;
            let c = &self.coeffs[self.offsets[i]..self.offsets[i + 1]];
            if h.is_zero() {
                // A segment of no length tells no derivative.
                return Err(Error::OutsideInterpolant {
                    t: t.to_f64(),
                    interval: (t.to_f64(), t.to_f64()),
                });
            }
            let mut d = horner_derivative(c, theta);
            let inv = S::from_real(h.recip());
            for v in d.iter_mut() {
                *v = *v * inv;
            }
            Ok(d)
        }
    }

    /// Stores every step: a `DenseSolution` is the continuous output model (Commons Math's
    /// `ContinuousOutputModel`) as a step handler.
    impl<S: Scalar, const N: usize> StepHandler<S, N> for DenseSolution<S, N> {
        fn handle_step(&mut self, step: &mut StepView<'_, S, N>) {
            self.push_view(step);
        }
    }

    /// The serialised form: the coefficients flattened component by component (serde has no
    /// arrays of generic length), with `n` to check them against on the way back.
    #[cfg(feature = "serde")]
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Stored<R, S> {
        n: usize,
        bounds: Vec<(R, R)>,
        offsets: Vec<usize>,
        coeffs: Vec<S>,
    }

    #[cfg(feature = "serde")]
    impl<S, const N: usize> serde::Serialize for DenseSolution<S, N>
    where
        S: Scalar + serde::Serialize,
        S::Real: serde::Serialize,
    {
        fn serialize<Se: serde::Serializer>(&self, ser: Se) -> Result<Se::Ok, Se::Error> {
            Stored {
                n: N,
                bounds: self.bounds.clone(),
                offsets: self.offsets.clone(),
                coeffs: self.coeffs.iter().flatten().copied().collect(),
            }
            .serialize(ser)
        }
    }

    #[cfg(feature = "serde")]
    impl<'de, S, const N: usize> serde::Deserialize<'de> for DenseSolution<S, N>
    where
        S: Scalar + serde::Deserialize<'de>,
        S::Real: serde::Deserialize<'de>,
    {
        fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
            use serde::de::Error as _;
            let st = Stored::<S::Real, S>::deserialize(de)?;
            let consistent = st.n == N
                && st.coeffs.len() % N.max(1) == 0
                && st.offsets.len() == st.bounds.len() + 1
                && st.offsets.first() == Some(&0)
                && st.offsets.windows(2).all(|w| w[0] < w[1])
                && st.offsets.last().copied() == Some(st.coeffs.len() / N.max(1))
                && st
                    .bounds
                    .iter()
                    .all(|&(a, b)| a.is_finite() && b.is_finite())
                && st.bounds.windows(2).all(|w| w[0].1 == w[1].0)
                && {
                    // One direction throughout.
                    let fwd = st.bounds.iter().any(|&(a, b)| b > a);
                    let bwd = st.bounds.iter().any(|&(a, b)| b < a);
                    !(fwd && bwd)
                };
            if !consistent {
                return Err(D::Error::custom(
                    "inconsistent DenseSolution: state size, offsets, coefficients or segment \
                     bounds disagree",
                ));
            }
            let coeffs = st
                .coeffs
                .chunks_exact(N.max(1))
                .map(|c| core::array::from_fn(|i| c[i]))
                .collect();
            Ok(DenseSolution {
                bounds: st.bounds,
                offsets: st.offsets,
                coeffs,
            })
        }
    }
}

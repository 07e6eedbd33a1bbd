//! Error measurement and step-size selection.
//!
//! **Error norm.** A local error estimate `err` is measured in the mixed root-mean-square norm
//! of Hairer, Nørsett & Wanner (*Solving ODEs I*, II.4, eq. 4.11), the norm SciPy's `solve_ivp`
//! also uses:
//!
//! ```text
//! ‖err‖ = sqrt( (1/N) Σ_i (|err_i| / sc_i)² ),   sc_i = atol_i + rtol · max(|y_i|, |ŷ_i|)
//! ```
//!
//! A step is accepted when `‖err‖ ≤ 1`.
//!
//! **Controllers.** With `k` the exponent of the error estimate (`k = q + 1` for an embedded
//! formula of order `q`), the [`Controller::Integral`] controller proposes
//! `h_new = h · clamp(safety · ‖err‖^{-1/k}, min_factor, max_factor)`, never growing right after
//! a rejection (SciPy's `RungeKutta`). The [`Controller::PI`] controller is Gustafsson's
//! proportional–integral ("Lund-stabilised") control as coded in Hairer's DOPRI5 and DOP853
//! (*Solving ODEs I*, IV.2, eq. 2.43c): `h_new = h · clamp(safety · ‖err_n‖^{-α} ·
//! ‖err_{n-1}‖^{β}, min_factor, max_factor)` with `α = 1/k − 0.75 β`.
//!
//! **Initial step.** Hairer's `HINIT` (*Solving ODEs I*, II.4, "Starting step size"): one
//! explicit Euler step of size `h0 = 0.01 ‖y0‖/‖f0‖` estimates the second derivative, and
//! `h1 = (0.01 / max(‖f0‖, ‖f'‖))^{1/p}` (`p` the order, Hairer's `IORD`); the start is
//! `min(100 h0, h1)`.

use crate::error::Error;
use crate::scalar::{Real, Scalar};
use num_traits::{Float, Zero};

/// The absolute tolerance: one for all components, or one each.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "R: serde::Serialize",
        deserialize = "R: serde::Deserialize<'de> + Copy + Default"
    ))
)]
pub enum Atol<R, const N: usize> {
    /// The same absolute tolerance for every component.
    Scalar(R),
    /// One absolute tolerance per component.
    #[cfg_attr(feature = "serde", serde(with = "serde_array"))]
    Vector([R; N]),
}

/// Relative and absolute tolerances of the local error.
///
/// `rtol` below `100 ε` (ε the machine epsilon of `R`) cannot be met; as SciPy does, it is
/// **raised** to `100 ε`, and the stepper reports that it did ([`crate::Stats::rtol_raised`]
/// and the driver's `message`). Negative or non-finite tolerances are refused with
/// [`Error::InvalidTolerance`].
///
/// `atol = 0` (for all components, or for some of an `atol` vector) is pure relative control
/// there: a component that is exactly 0 at both ends of a step counts as exact (its scale is
/// 0, its error 0), one that is not is measured relative to its own size, and the starting
/// step is estimated from the components of non-zero scale. The Radau methods refuse
/// `atol_i = 0`, as Hairer's RADAU5 and RADAU do: their Newton weights `1/(atol_i + rtol |y_i|)`
/// are taken at the start of the step alone, and are infinite where `y_i = 0`.
///
/// ```
/// use ode_core::Tolerances;
/// let tol = Tolerances::<f64, 3>::new(1e-6, 1e-9).with_atol_vector([1e-9, 1e-12, 1e-9]);
/// assert_eq!(tol.rtol(), 1e-6);
/// assert_eq!(tol.atol(1), 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "R: serde::Serialize",
        deserialize = "R: serde::Deserialize<'de> + Copy + Default"
    ))
)]
pub struct Tolerances<R, const N: usize> {
    rtol: R,
    atol: Atol<R, N>,
}

impl<R: Real, const N: usize> Tolerances<R, N> {
    /// Scalar `rtol` and `atol`.
    pub fn new(rtol: R, atol: R) -> Self {
        Tolerances {
            rtol,
            atol: Atol::Scalar(atol),
        }
    }

    /// Replaces the absolute tolerance by one per component.
    pub fn with_atol_vector(self, atol: [R; N]) -> Self {
        Tolerances {
            rtol: self.rtol,
            atol: Atol::Vector(atol),
        }
    }

    /// The relative tolerance.
    #[inline]
    pub fn rtol(&self) -> R {
        self.rtol
    }

    /// The absolute tolerance of component `i`.
    #[inline]
    pub fn atol(&self, i: usize) -> R {
        match &self.atol {
            Atol::Scalar(a) => *a,
            Atol::Vector(v) => v[i],
        }
    }

    /// Checks the tolerances; returns them with `rtol` raised to `100 ε` where it was smaller,
    /// and whether it was raised.
    pub fn validated(self) -> Result<(Self, bool), Error> {
        let bad_atol = |a: R| !(a.is_finite() && a >= R::zero());
        match &self.atol {
            Atol::Scalar(a) if bad_atol(*a) => {
                return Err(Error::InvalidTolerance {
                    what: "atol must be finite and non-negative",
                })
            }
            Atol::Vector(v) if v.iter().any(|a| bad_atol(*a)) => {
                return Err(Error::InvalidTolerance {
                    what: "every component of atol must be finite and non-negative",
                })
            }
            _ => {}
        }
        if !(self.rtol.is_finite() && self.rtol >= R::zero()) {
            return Err(Error::InvalidTolerance {
                what: "rtol must be finite and non-negative",
            });
        }
        let floor = R::from_f64(100.0) * R::epsilon();
        if self.rtol < floor {
            Ok((
                Tolerances {
                    rtol: floor,
                    atol: self.atol,
                },
                true,
            ))
        } else {
            Ok((self, false))
        }
    }

    /// The weighted RMS norm of `err` with scales `atol_i + rtol · max(|y_i|, |ŷ_i|)`.
    #[inline]
    pub fn error_norm<S: Scalar<Real = R>>(&self, err: &[S; N], y: &[S; N], y_new: &[S; N]) -> R {
        if N == 0 {
            return R::zero();
        }
        let mut sum = R::zero();
        for i in 0..N {
            let sc = self.atol(i) + self.rtol * y[i].modulus().max(y_new[i].modulus());
            let r = weighted(err[i].modulus(), sc);
            sum = sum + r * r;
        }
        (sum / R::from_f64(N as f64)).sqrt()
    }

    /// The norm of [`Tolerances::norm`] over the components whose scale `atol_i + rtol |y_i|`
    /// is positive, with `N` replaced by their count (0 when there are none): the starting
    /// step's estimates of `‖y0‖`, `‖f0‖` and `‖y''‖`, which a component of zero scale
    /// (`atol_i = 0`, `y_i = 0`) tells nothing about.
    fn start_norm<S: Scalar<Real = R>>(&self, v: &[S; N], y: &[S; N]) -> R {
        let mut sum = R::zero();
        let mut n = 0usize;
        for i in 0..N {
            let sc = self.atol(i) + self.rtol * y[i].modulus();
            if sc > R::zero() {
                let r = v[i].modulus() / sc;
                sum = sum + r * r;
                n += 1;
            }
        }
        if n == 0 {
            R::zero()
        } else {
            (sum / R::from_f64(n as f64)).sqrt()
        }
    }

    /// The weighted RMS norm of `v` with scales `atol_i + rtol · |y_i|`.
    #[inline]
    pub fn norm<S: Scalar<Real = R>>(&self, v: &[S; N], y: &[S; N]) -> R {
        self.error_norm(v, y, y)
    }
}

/// `e / sc`, the weighted error of one component, with an exact component counting zero
/// whatever its scale: with `atol_i = 0` and `y_i = ŷ_i = 0` the scale is 0 and its weight
/// infinite, and `0 / 0` would make the whole norm NaN. A non-zero error there stays infinite
/// (pure relative control), and a NaN error stays NaN.
#[inline]
pub(crate) fn weighted<R: Real>(e: R, sc: R) -> R {
    if e == R::zero() {
        e
    } else {
        e / sc
    }
}

/// Step-size controllers: they alone accept or reject a step and propose the next size.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Controller<R> {
    /// Elementary (integral) control: `h · safety · ‖err‖^{-1/k}`.
    Integral {
        /// Safety factor (0.9).
        safety: R,
        /// Smallest step ratio (0.2).
        min_factor: R,
        /// Largest step ratio (10).
        max_factor: R,
    },
    /// Proportional–integral control with memory `β` of the previous accepted error.
    PI {
        /// Weight of the previous error (Hairer's `BETA`: 0.04 for DOPRI5, 0 for DOP853).
        beta: R,
        /// Safety factor (0.9).
        safety: R,
        /// Smallest step ratio (Hairer's `1/FAC1`: 0.2, DOP853 0.333).
        min_factor: R,
        /// Largest step ratio (Hairer's `1/FAC2`: 10, DOP853 6).
        max_factor: R,
    },
    /// Gustafsson's predictive controller (*Solving ODEs II*, IV.8, eq. (8.25)), as Hairer's
    /// RODAS and RADAU5 code it: after an accepted step following another, the step ratio is
    /// the smaller of the elementary one and `(h_n/h_{n−1}) · (‖err_{n−1}‖/‖err_n‖²)^{1/k}`,
    /// which damps the step-size oscillations of stiff problems.
    Predictive {
        /// Safety factor (Hairer's `SAFE`: 0.9).
        safety: R,
        /// Smallest step ratio (Hairer's `1/FAC1`: RODAS 0.2).
        min_factor: R,
        /// Largest step ratio (Hairer's `1/FAC2`: RODAS 6).
        max_factor: R,
    },
}

impl<R: Real> Controller<R> {
    /// SciPy's controller for its explicit Runge–Kutta methods (0.9, 0.2, 10).
    pub fn integral() -> Self {
        Controller::Integral {
            safety: R::from_f64(0.9),
            min_factor: R::from_f64(0.2),
            max_factor: R::from_f64(10.0),
        }
    }

    /// Hairer's PI controller with the given `β` and step-ratio bounds.
    pub fn pi(beta: f64, min_factor: f64, max_factor: f64) -> Self {
        Controller::PI {
            beta: R::from_f64(beta),
            safety: R::from_f64(0.9),
            min_factor: R::from_f64(min_factor),
            max_factor: R::from_f64(max_factor),
        }
    }

    /// Hairer's RODAS controller: predictive, safety 0.9, ratios in `[0.2, 6]`.
    pub fn predictive() -> Self {
        Controller::Predictive {
            safety: R::from_f64(0.9),
            min_factor: R::from_f64(0.2),
            max_factor: R::from_f64(6.0),
        }
    }

    fn check(&self) -> Result<(), Error> {
        let (safety, lo, hi, beta) = match *self {
            Controller::Predictive {
                safety,
                min_factor,
                max_factor,
            } => (safety, min_factor, max_factor, R::zero()),
            Controller::Integral {
                safety,
                min_factor,
                max_factor,
            } => (safety, min_factor, max_factor, R::zero()),
            Controller::PI {
                beta,
                safety,
                min_factor,
                max_factor,
            } => (safety, min_factor, max_factor, beta),
        };
        let ok = safety > R::zero()
            && safety <= R::one()
            && lo > R::zero()
            && lo < R::one()
            && hi > R::one()
            && hi.is_finite()
            && beta >= R::zero()
            && beta < R::from_f64(0.2);
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidOption {
                what: "controller: need 0 < safety ≤ 1, 0 < min_factor < 1 < max_factor < ∞, 0 ≤ β < 0.2",
            })
        }
    }
}

/// The controller's verdict on one attempted step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Verdict<R> {
    /// Whether the step is accepted.
    pub accept: bool,
    /// The proposed magnitude of the next (or the repeated) step.
    pub h_abs: R,
}

/// A step-size controller with its memory: the one place that accepts or rejects an attempt
/// and proposes the size of the next (the split of DifferentialEquations.jl's controllers and
/// diffrax's `AbstractStepSizeController`; Hairer & Wanner, *Solving ODEs I*, II.4, and
/// *Solving ODEs II*, IV.8). [`Controller`] is the configuration a user gives in
/// [`Settings`](crate::Settings); each of its variants is carried out by one of the types
/// [`IntegralControl`], [`PiControl`] and [`PredictiveControl`], which the step loop holds
/// as a [`ControlState`].
pub(crate) trait StepControl<R: Real> {
    /// Judges an attempt of magnitude `h_abs` whose error norm is `err`, for an estimate with
    /// `err ∝ h^k`.
    fn judge(&mut self, err: R, h_abs: R, k: R) -> Verdict<R>;

    /// The attempt failed before it had an error (a singular iteration matrix): the next
    /// accepted step may not grow.
    fn reject(&mut self);

    /// The attempt of magnitude `h_abs` produced non-finite values, so its error is unknown:
    /// the step to try instead, cut by the controller's smallest ratio (at most 1/4).
    fn shrink(&mut self, h_abs: R) -> R;
}

/// `1e-4`, Hairer's floor of the previous error (`FACOLD`), as a logarithm.
fn ln_err_floor<R: Real>() -> R {
    R::from_f64(1e-4).ln()
}

/// The accepted step's ratio `factor`, bounded by `[lo, hi]`, and by 1 right after a rejection.
#[inline(always)]
fn accepted<R: Real>(factor: R, lo: R, rejected: &mut bool) -> R {
    let mut factor = factor.max(lo);
    if *rejected {
        factor = factor.min(R::one());
    }
    *rejected = false;
    factor
}

/// Elementary (integral) control, [`Controller::Integral`]: `h · safety · ‖err‖^{-1/k}`, the
/// ratio in `[min_factor, max_factor]` (SciPy's explicit Runge–Kutta methods): the PI
/// controller without memory (`β = 0`), which it carries out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IntegralControl<R>(PiControl<R>);

impl<R: Real> StepControl<R> for IntegralControl<R> {
    #[inline(always)]
    fn judge(&mut self, err: R, h_abs: R, k: R) -> Verdict<R> {
        self.0.judge(err, h_abs, k)
    }

    fn reject(&mut self) {
        self.0.reject()
    }

    fn shrink(&mut self, h_abs: R) -> R {
        self.0.shrink(h_abs)
    }
}

/// Proportional–integral control, [`Controller::PI`] (Hairer's DOPRI5 and DOP853, *Solving
/// ODEs I*, II.4, after Gustafsson and Lund): `h · safety · ‖err‖^{-α} ‖err_prev‖^{β}`,
/// `α = 1/k − 0.75 β`, with the previous accepted error floored at `1e-4`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PiControl<R> {
    beta: R,
    safety: R,
    min_factor: R,
    max_factor: R,
    /// `ln` of the previous accepted error (floored at 1e-4, as Hairer's `FACOLD`).
    ln_err_prev: R,
    rejected: bool,
}

impl<R: Real> StepControl<R> for PiControl<R> {
    fn judge(&mut self, err: R, h_abs: R, k: R) -> Verdict<R> {
        let beta = self.beta;
        let alpha = k.recip() - R::from_f64(0.75) * beta;
        if err <= R::one() {
            let factor = if err == R::zero() {
                self.ln_err_prev = ln_err_floor();
                self.max_factor
            } else {
                let f = if beta == R::zero() {
                    err.powf(-alpha)
                } else {
                    // One logarithm and one exponential, instead of two powers.
                    let ln_err = err.ln();
                    let f = (beta * self.ln_err_prev - alpha * ln_err).exp();
                    self.ln_err_prev = ln_err.max(ln_err_floor());
                    f
                };
                (self.safety * f).min(self.max_factor)
            };
            let factor = accepted(factor, self.min_factor, &mut self.rejected);
            Verdict {
                accept: true,
                h_abs: h_abs * factor,
            }
        } else {
            self.rejected = true;
            let factor = (self.safety * err.powf(-alpha)).clamp(self.min_factor, R::one());
            Verdict {
                accept: false,
                h_abs: h_abs * factor,
            }
        }
    }

    fn reject(&mut self) {
        self.rejected = true;
    }

    fn shrink(&mut self, h_abs: R) -> R {
        self.rejected = true;
        h_abs * self.min_factor.min(R::from_f64(0.25))
    }
}

/// Gustafsson's predictive controller, [`Controller::Predictive`], in RODAS's form (*Solving
/// ODEs II*, IV.8, eq. (8.25)): the divisor of the step is the larger of the elementary
/// `‖err‖^{1/k}/safety` and `(h_{n−1}/h_n) (‖err_n‖²/‖err_{n−1}‖)^{1/k}/safety`, each
/// bounded to `[1/max_factor, 1/min_factor]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PredictiveControl<R> {
    safety: R,
    min_factor: R,
    max_factor: R,
    /// The step and the `k`-th root of the error (floored at 1e-2) of the previous accepted
    /// step.
    accepted_prev: Option<(R, R)>,
    rejected: bool,
}

impl<R: Real> StepControl<R> for PredictiveControl<R> {
    fn judge(&mut self, err: R, h_abs: R, k: R) -> Verdict<R> {
        let (safety, lo, hi) = (self.safety, self.min_factor, self.max_factor);
        let root = kth_root(err, k);
        let clamp = |fac: R| fac.max(hi.recip()).min(lo.recip());
        let mut fac = clamp(root / safety);
        if err <= R::one() {
            // (err² / err_prev)^{1/k} from the roots: one power a step.
            if let Some((h_prev, root_prev)) = self.accepted_prev {
                let facgus = (h_prev / h_abs) * (root * root / root_prev) / safety;
                fac = fac.max(clamp(facgus));
            }
            let floor = R::from_f64(1e-2);
            let root_floored = if err >= floor {
                root
            } else {
                kth_root(floor, k)
            };
            self.accepted_prev = Some((h_abs, root_floored));
            let mut h_new = h_abs / fac;
            if self.rejected {
                h_new = h_new.min(h_abs);
            }
            self.rejected = false;
            Verdict {
                accept: true,
                h_abs: h_new,
            }
        } else {
            self.rejected = true;
            Verdict {
                accept: false,
                h_abs: h_abs / fac.max(R::one()),
            }
        }
    }

    fn reject(&mut self) {
        self.rejected = true;
    }

    fn shrink(&mut self, h_abs: R) -> R {
        self.rejected = true;
        h_abs * self.min_factor.min(R::from_f64(0.25))
    }
}

/// The controller a [`Controller`] configures, with its memory: what the step loop holds.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ControlState<R> {
    Integral(IntegralControl<R>),
    Pi(PiControl<R>),
    Predictive(PredictiveControl<R>),
}

impl<R: Real> ControlState<R> {
    /// The controller `controller` configures, with no history; an error for parameters out
    /// of range.
    pub fn new(controller: Controller<R>) -> Result<Self, Error> {
        controller.check()?;
        Ok(match controller {
            Controller::Integral {
                safety,
                min_factor,
                max_factor,
            } => ControlState::Integral(IntegralControl(PiControl {
                beta: R::zero(),
                safety,
                min_factor,
                max_factor,
                ln_err_prev: ln_err_floor(),
                rejected: false,
            })),
            Controller::PI {
                beta,
                safety,
                min_factor,
                max_factor,
            } => ControlState::Pi(PiControl {
                beta,
                safety,
                min_factor,
                max_factor,
                ln_err_prev: ln_err_floor(),
                rejected: false,
            }),
            Controller::Predictive {
                safety,
                min_factor,
                max_factor,
            } => ControlState::Predictive(PredictiveControl {
                safety,
                min_factor,
                max_factor,
                accepted_prev: None,
                rejected: false,
            }),
        })
    }

    /// The same controller with its history forgotten (a restart).
    pub fn forgotten(&self) -> Self {
        match *self {
            ControlState::Integral(IntegralControl(c)) => {
                ControlState::Integral(IntegralControl(PiControl {
                    rejected: false,
                    ..c
                }))
            }
            ControlState::Pi(c) => ControlState::Pi(PiControl {
                ln_err_prev: ln_err_floor(),
                rejected: false,
                ..c
            }),
            ControlState::Predictive(c) => ControlState::Predictive(PredictiveControl {
                accepted_prev: None,
                rejected: false,
                ..c
            }),
        }
    }
}

impl<R: Real> StepControl<R> for ControlState<R> {
    #[inline(always)]
    fn judge(&mut self, err: R, h_abs: R, k: R) -> Verdict<R> {
        match self {
            ControlState::Integral(c) => c.judge(err, h_abs, k),
            ControlState::Pi(c) => c.judge(err, h_abs, k),
            ControlState::Predictive(c) => c.judge(err, h_abs, k),
        }
    }

    fn reject(&mut self) {
        match self {
            ControlState::Integral(c) => c.reject(),
            ControlState::Pi(c) => c.reject(),
            ControlState::Predictive(c) => c.reject(),
        }
    }

    fn shrink(&mut self, h_abs: R) -> R {
        match self {
            ControlState::Integral(c) => c.shrink(h_abs),
            ControlState::Pi(c) => c.shrink(h_abs),
            ControlState::Predictive(c) => c.shrink(h_abs),
        }
    }
}

/// `x^{1/k}`, the root of an error estimate `O(h^k)` in the step-size formulas: by square and
/// cube roots where `k` is 2, 3, 4 or 8 (RADAU5 writes `SQRT(SQRT(ERR))`; the Rosenbrock
/// methods' estimates but Rodas5P's), which are exact to rounding and far cheaper than a
/// power; `x^{1/k}` otherwise.
#[inline(always)]
pub(crate) fn kth_root<R: Real>(x: R, k: R) -> R {
    if k == R::from_f64(4.0) {
        x.sqrt().sqrt()
    } else if k == R::from_f64(8.0) {
        x.sqrt().sqrt().sqrt()
    } else if k == R::from_f64(2.0) {
        x.sqrt()
    } else if k == R::from_f64(3.0) {
        x.cbrt()
    } else {
        x.powf(k.recip())
    }
}

/// Hairer's starting step (`HINIT`) for a method of order `order`, integrating in direction
/// `dir` (±1). Costs one evaluation of `f`, done by `eval(t, y, out)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn initial_step<S: Scalar, const N: usize>(
    mut eval: impl FnMut(S::Real, &[S; N], &mut [S; N]),
    t0: S::Real,
    y0: &[S; N],
    f0: &[S; N],
    dir: S::Real,
    order: u32,
    tol: &Tolerances<S::Real, N>,
    max_abs: S::Real,
) -> S::Real {
    let r = |x: f64| <S::Real as Real>::from_f64(x);
    let d0 = tol.start_norm(y0, y0);
    let d1 = tol.start_norm(f0, y0);
    let h0 = if d0 < r(1e-5) || d1 < r(1e-5) {
        r(1e-6)
    } else {
        r(0.01) * d0 / d1
    }
    .min(max_abs);
    let mut y1 = [S::zero(); N];
    for i in 0..N {
        y1[i] = y0[i] + f0[i] * (h0 * dir);
    }
    let mut f1 = [S::zero(); N];
    eval(t0 + h0 * dir, &y1, &mut f1);
    let mut diff = [S::zero(); N];
    for i in 0..N {
        diff[i] = f1[i] - f0[i];
    }
    let d2 = tol.start_norm(&diff, y0) / h0;
    let h1 = if d1 <= r(1e-15) && d2 <= r(1e-15) {
        (h0 * r(1e-3)).max(r(1e-6))
    } else {
        (r(0.01) / d1.max(d2)).powf(r(1.0) / r(f64::from(order)))
    };
    let h = (r(100.0) * h0).min(h1).min(max_abs);
    // A NaN here (from a non-finite f1) falls back to the cautious h0.
    if h.is_finite() && h > S::Real::zero() {
        h
    } else {
        h0
    }
}

#[cfg(feature = "serde")]
mod serde_array {
    //! serde for `[R; N]` of any `N` (serde's own impls stop at 32).
    use core::fmt;
    use core::marker::PhantomData;
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::ser::SerializeTuple;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize, const N: usize>(
        v: &[T; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(N)?;
        for x in v {
            t.serialize_element(x)?;
        }
        t.end()
    }

    pub fn deserialize<
        'de,
        D: Deserializer<'de>,
        T: Deserialize<'de> + Copy + Default,
        const N: usize,
    >(
        d: D,
    ) -> Result<[T; N], D::Error> {
        struct V<T, const N: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Copy + Default, const N: usize> Visitor<'de> for V<T, N> {
            type Value = [T; N];
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an array of {N} elements")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[T; N], A::Error> {
                let mut out = [T::default(); N];
                for (i, o) in out.iter_mut().enumerate() {
                    *o = seq
                        .next_element()?
                        .ok_or_else(|| A::Error::invalid_length(i, &self))?;
                }
                Ok(out)
            }
        }
        d.deserialize_tuple(N, V::<T, N>(PhantomData))
    }
}

#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    use super::*;
    use crate::Settings;

    #[test]
    fn tolerances_and_settings_round_trip() {
        // 40 components: beyond the 32 that serde's own array impls cover.
        let mut atol = [0.0; 40];
        for (i, a) in atol.iter_mut().enumerate() {
            *a = 1e-9 * (i + 1) as f64;
        }
        let tol = Tolerances::new(1e-7, 0.0).with_atol_vector(atol);
        let json = serde_json::to_string(&tol).unwrap();
        let back: Tolerances<f64, 40> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, tol);
        let s = Settings::new(tol)
            .max_step(0.5)
            .controller(Controller::pi(0.04, 0.2, 10.0));
        let back: Settings<f64, 40> =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}

#[cfg(test)]
mod controller_tests {
    //! Each controller type against the formula it implements (Hairer & Wanner, *Solving ODEs
    //! I*, II.4 and *II*, IV.8), over a sweep of errors and orders.
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-14 * b.abs()
    }

    #[test]
    fn integral_control_is_the_elementary_formula() {
        for k in [2.0, 4.0, 5.0, 8.0] {
            for err in [0.0, 1e-12, 1e-3, 0.3, 1.0, 1.5, 40.0, 1e9] {
                let mut c = ControlState::new(Controller::integral()).unwrap();
                let v = c.judge(err, 0.5, k);
                let want = if err == 0.0 {
                    10.0
                } else {
                    let f = 0.9 * err.powf(-1.0 / k);
                    if err <= 1.0 {
                        f.clamp(0.2, 10.0)
                    } else {
                        f.clamp(0.2, 1.0)
                    }
                };
                assert_eq!(v.accept, err <= 1.0, "err {err}");
                assert!(close(v.h_abs, 0.5 * want), "k {k} err {err}: {}", v.h_abs);
                // After a rejection the next accepted step does not grow.
                let mut c = ControlState::new(Controller::integral()).unwrap();
                c.judge(2.0, 1.0, k);
                assert!(c.judge(1e-6, 1.0, k).h_abs <= 1.0);
            }
        }
    }

    #[test]
    fn pi_control_remembers_the_previous_error() {
        let beta = 0.04;
        for k in [4.0, 5.0, 8.0] {
            for (e1, e2) in [(0.5, 0.2), (1e-6, 0.9), (0.01, 1e-5)] {
                let mut c = ControlState::new(Controller::pi(beta, 0.2, 10.0)).unwrap();
                let alpha = 1.0 / k - 0.75 * beta;
                let first = c.judge(e1, 1.0, k).h_abs;
                // The first step sees Hairer's FACOLD = 1e-4.
                let want1 = (0.9 * e1.powf(-alpha) * 1e-4f64.powf(beta)).clamp(0.2, 10.0);
                assert!(close(first, want1), "{first} {want1}");
                let second = c.judge(e2, 1.0, k).h_abs;
                let prev = e1.max(1e-4);
                let want2 = (0.9 * e2.powf(-alpha) * prev.powf(beta)).clamp(0.2, 10.0);
                assert!(close(second, want2), "{second} {want2}");
                // A restart forgets the memory.
                let mut fresh = c.forgotten();
                assert!(close(fresh.judge(e1, 1.0, k).h_abs, want1));
            }
        }
    }

    #[test]
    fn predictive_control_takes_the_more_cautious_ratio() {
        for k in [3.0, 4.0, 6.0] {
            for (h1, e1, h2, e2) in [
                (1.0, 0.5, 2.0, 0.9),
                (1.0, 0.02, 1.5, 0.5),
                (2.0, 0.9, 1.0, 1e-4),
            ] {
                let mut c = ControlState::new(Controller::predictive()).unwrap();
                c.judge(e1, h1, k);
                let got = c.judge(e2, h2, k).h_abs;
                let clamp = |f: f64| f.clamp(1.0 / 6.0, 1.0 / 0.2);
                let elementary = clamp(e2.powf(1.0 / k) / 0.9);
                let gustafsson = clamp((h1 / h2) * (e2 * e2 / e1.max(1e-2)).powf(1.0 / k) / 0.9);
                let want = h2 / elementary.max(gustafsson);
                assert!((got - want).abs() <= 1e-12 * want, "k {k}: {got} {want}");
            }
        }
    }

    #[test]
    fn every_controller_shrinks_by_its_smallest_ratio_at_most_a_quarter() {
        for (ctrl, want) in [
            (Controller::integral(), 0.2),
            (Controller::pi(0.0, 0.333, 6.0), 0.25),
            (Controller::predictive(), 0.2),
        ] {
            let mut c = ControlState::new(ctrl).unwrap();
            assert!(close(c.shrink(2.0), 2.0 * want));
            // The shrink counts as a rejection: the next accepted step does not grow.
            assert!(c.judge(1e-8, 1.0, 5.0).h_abs <= 1.0);
        }
    }
}

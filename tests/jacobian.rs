//! The symbolic Jacobian and `∂f/∂p` of `#[ode_system]` against num-dual at random points.
//!
//! For every system of the corpus ([`systems`]) and every random point `(t, y, p)` of its
//! domain, the symbolic `J = ∂f/∂y` and `∂f/∂p` must agree with forward-mode automatic
//! differentiation (num-dual's `Dual64`, which shares no code with the symbolic differentiator)
//! to a relative tolerance [`RTOL`]:
//!
//! `|a - b| ≤ RTOL · max(|a|, |b|, s_i)`,
//!
//! where the floor `s_i` is the largest magnitude in row `i` of the reference `[J | ∂f/∂p]`.
//! The two methods round differently (the order of a sum, `1 + tan² x` against num-dual's
//! `1 / cos² x`), so an entry may differ by a few ulps of the largest term it sums, which is
//! many ulps of the entry itself where terms cancel. At the O(1)-scaled points of the corpus
//! the terms that cancel in one entry (the gain and loss of a mass-action balance, `a - b y`)
//! are of the size of the other entries of their row, so the row's largest entry measures
//! them, and `RTOL` leaves ~10⁴ ulps of it: far below any wrong rule, far above rounding.
//!
//! The reference has to be accurate to that level too. num-dual computes some values other
//! than `f64` does (`powf` with a variable exponent as `exp(w ln z)`, a few ulps off), so no
//! output of the corpus amplifies an ulp of a value into a large relative change of its row
//! (see `trigonometry_domain`), and domains keep off num-dual's own singularities.
//!
//! At the same points: the generated values outside `PATTERN` are zero in the num-dual
//! Jacobian, the fused `rhs_and_jacobian` gives `rhs`'s `dy` (to 1e-15 relative) and
//! `jacobian`'s `J` (exactly), `jacobian_into_zeroed` overwrites every `PATTERN` entry with
//! `J`'s, and `jacobian_nonzeros` gives `J` at `PATTERN` (exactly). Without
//! random points: `PATTERN` is row-major without duplicates, `COLORS` is a valid
//! Curtis–Powell–Reid colouring, and every `PATTERN` entry is non-zero somewhere (the pattern
//! is not padded). Robertson's and Lotka–Volterra's Jacobians are checked against hand-derived
//! formulas as well.

mod systems;

use std::cell::RefCell;

use num_dual::Dual64;
use odegen::{Jacobian, ParamJacobian, Sparsity};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use systems::*;

/// The relative tolerance between the symbolic and the num-dual derivatives.
const RTOL: f64 = 1e-12;

/// Random points per system: enough to visit every branch of the corpus, few enough that the
/// whole file runs in a few seconds in a debug build.
const CASES: u32 = 256;

/// Points per system for the (deterministic) check that the pattern is not padded.
const PATTERN_SAMPLES: u32 = 256;

/// A system generated with `#[ode_system]`: its inherent items behind a trait, so one generic
/// test serves the whole corpus.
trait Generated<const N: usize, const P: usize>:
    Jacobian<N> + ParamJacobian<N, P> + Sparsity<N> + Sized
{
    const NNZ: usize;
    fn with_params(p: [f64; P]) -> Self;
    fn nonzeros(&self, t: f64, y: &[f64; N]) -> Vec<f64>;
}

/// Derivatives by num-dual, the reference.
trait Reference<const N: usize, const P: usize> {
    fn derivatives(t: f64, y: &[f64; N], p: &[f64; P]) -> ([[f64; N]; N], [[f64; P]; N]);
}

macro_rules! generated {
    ($($sys:ident),* $(,)?) => {$(
        impl Generated<{ $sys::N }, { $sys::PARAMS.len() }> for $sys {
            const NNZ: usize = $sys::NNZ;
            fn with_params(p: [f64; { $sys::PARAMS.len() }]) -> Self {
                $sys::from_params(p)
            }
            fn nonzeros(&self, t: f64, y: &[f64; { $sys::N }]) -> Vec<f64> {
                let mut values = [0.0; $sys::NNZ];
                self.jacobian_nonzeros(t, y, &mut values);
                values.to_vec()
            }
        }
    )*};
}

/// The `#[ode_system(jacobian = dual)]` twins as references.
macro_rules! dual_reference {
    ($($sys:ident),* $(,)?) => {$(
        impl Reference<{ $sys::N }, { $sys::PARAMS.len() }> for $sys {
            fn derivatives(
                t: f64,
                y: &[f64; { $sys::N }],
                p: &[f64; { $sys::PARAMS.len() }],
            ) -> ([[f64; { $sys::N }]; { $sys::N }], [[f64; { $sys::PARAMS.len() }]; { $sys::N }]) {
                let sys = $sys::from_params(*p);
                let mut jac = [[f64::NAN; { $sys::N }]; { $sys::N }];
                let mut dfdp = [[f64::NAN; { $sys::PARAMS.len() }]; { $sys::N }];
                sys.jacobian(t, y, &mut jac);
                sys.param_jacobian(t, y, &mut dfdp);
                (jac, dfdp)
            }
        }
    )*};
}

generated!(
    Robertson,
    LotkaVolterra,
    Pendulum,
    Arenstorf,
    Kepler,
    Coagulation,
    Lorenz96,
    Friction,
    Exponentials,
    Trigonometry,
    Scopes,
    NestedBranches,
    Units,
    VanDerPol,
    Duffing,
    Oregonator,
    TunedOscillator,
);

dual_reference!(
    RobertsonAd,
    LotkaVolterraAd,
    PendulumAd,
    ArenstorfAd,
    KeplerAd,
    CoagulationAd,
    Lorenz96Ad,
    FrictionAd,
    ExponentialsAd,
    TrigonometryAd,
    UnitsAd,
    ScopesAd,
    NestedBranchesAd,
    VanDerPolAd,
    DuffingAd,
    OregonatorAd,
    TunedOscillatorAd,
);

/// num-dual over the hand transcription [`units_reference`], one seeded pass per column.
struct UnitsByHand;

impl Reference<3, 1> for UnitsByHand {
    fn derivatives(t: f64, y: &[f64; 3], p: &[f64; 1]) -> ([[f64; 3]; 3], [[f64; 1]; 3]) {
        let seed = |x: f64, on: bool| {
            if on {
                Dual64::new(x, 1.0)
            } else {
                Dual64::from(x)
            }
        };
        let mut jac = [[0.0; 3]; 3];
        for j in 0..3 {
            let yd = core::array::from_fn(|i| seed(y[i], i == j));
            let out = units_reference(Dual64::from(t), yd, Dual64::from(p[0]));
            for (row, d) in jac.iter_mut().zip(out) {
                row[j] = d.eps;
            }
        }
        let out = units_reference(Dual64::from(t), y.map(Dual64::from), seed(p[0], true));
        (jac, out.map(|d| [d.eps]))
    }
}

/// The random points of a domain.
fn points<const N: usize, const P: usize>(
    d: Domain<N, P>,
) -> impl Strategy<Value = (f64, [f64; N], [f64; P])> {
    let smooth = d.smooth;
    (d.t, d.y, d.p).prop_filter("near a branch switch or kink", move |(t, y, p)| {
        smooth(*t, y, p)
    })
}

/// `cases` points per run; failures print their shrunk input, no regression file is kept.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Whether `a` and `b` agree to `RTOL` relative to `max(|a|, |b|, scale)`.
fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= RTOL * a.abs().max(b.abs()).max(scale)
}

/// Every property at one point.
fn check_point<S, R, const N: usize, const P: usize>(
    t: f64,
    y: &[f64; N],
    p: &[f64; P],
) -> Result<(), TestCaseError>
where
    S: Generated<N, P>,
    R: Reference<N, P>,
{
    let sys = S::with_params(*p);
    let (jac_ref, dfdp_ref) = R::derivatives(t, y, p);
    let mut jac = [[f64::NAN; N]; N];
    let mut dfdp = [[f64::NAN; P]; N];
    sys.jacobian(t, y, &mut jac);
    sys.param_jacobian(t, y, &mut dfdp);
    for i in 0..N {
        let scale = jac_ref[i]
            .iter()
            .chain(&dfdp_ref[i])
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        prop_assert!(
            scale.is_finite(),
            "row {i} of the reference: {:?}",
            jac_ref[i]
        );
        for j in 0..N {
            let (a, b) = (jac[i][j], jac_ref[i][j]);
            prop_assert!(
                close(a, b, scale),
                "∂f{i}/∂y{j}: symbolic {a:e}, num-dual {b:e}"
            );
            if !S::PATTERN.contains(&(i, j)) {
                prop_assert!(b == 0.0, "({i}, {j}) outside PATTERN: num-dual {b:e}");
                prop_assert!(a == 0.0, "({i}, {j}) outside PATTERN: symbolic {a:e}");
            }
        }
        for k in 0..P {
            let (a, b) = (dfdp[i][k], dfdp_ref[i][k]);
            prop_assert!(
                close(a, b, scale),
                "∂f{i}/∂p{k}: symbolic {a:e}, num-dual {b:e}"
            );
        }
    }

    let mut dy = [f64::NAN; N];
    sys.rhs(t, y, &mut dy);
    let mut dy_fused = [f64::NAN; N];
    let mut jac_fused = [[f64::NAN; N]; N];
    sys.rhs_and_jacobian(t, y, &mut dy_fused, &mut jac_fused);
    for i in 0..N {
        let (a, b) = (dy_fused[i], dy[i]);
        prop_assert!(
            (a - b).abs() <= 1e-15 * a.abs().max(b.abs()),
            "f{i}: fused {a:e}, rhs {b:e}"
        );
    }
    prop_assert_eq!(jac_fused, jac, "rhs_and_jacobian vs jacobian");

    // Zeros outside the pattern, as the trait requires, and stale values (NaN) inside it.
    let mut reused = [[0.0; N]; N];
    for &(i, j) in S::PATTERN {
        reused[i][j] = f64::NAN;
    }
    sys.jacobian_into_zeroed(t, y, &mut reused);
    prop_assert_eq!(reused, jac, "jacobian_into_zeroed vs jacobian");

    let nonzeros = sys.nonzeros(t, y);
    prop_assert_eq!(nonzeros.len(), S::NNZ);
    let at_pattern: Vec<f64> = S::PATTERN.iter().map(|&(i, j)| jac[i][j]).collect();
    prop_assert_eq!(
        nonzeros,
        at_pattern,
        "jacobian_nonzeros vs jacobian at PATTERN"
    );
    Ok(())
}

/// `PATTERN` row-major without duplicates, `COLORS` a valid CPR colouring.
fn check_structure<S: Generated<N, P>, const N: usize, const P: usize>() {
    let pattern = S::PATTERN;
    assert_eq!(pattern.len(), S::NNZ);
    assert!(
        pattern.windows(2).all(|w| w[0] < w[1]),
        "PATTERN is not strictly row-major: {pattern:?}"
    );
    assert!(pattern.iter().all(|&(i, j)| i < N && j < N));
    let colors = S::COLORS;
    assert_eq!(
        S::N_COLORS,
        colors.iter().max().map_or(0, |c| c + 1),
        "N_COLORS vs COLORS {colors:?}"
    );
    for &(i, j) in pattern {
        for &(k, l) in pattern {
            if i == k && j < l {
                assert_ne!(
                    colors[j], colors[l],
                    "columns {j} and {l} share row {i} and colour {}",
                    colors[j]
                );
            }
        }
    }
}

/// Every `PATTERN` entry is non-zero in the num-dual Jacobian at some sampled point.
fn check_pattern_is_tight<S, R, const N: usize, const P: usize>(domain: Domain<N, P>)
where
    S: Generated<N, P>,
    R: Reference<N, P>,
{
    let seen = RefCell::new(vec![false; S::NNZ]);
    // A fixed seed: whether a small region of the domain is hit must not vary between runs.
    let mut runner = TestRunner::new_with_rng(
        config(PATTERN_SAMPLES),
        TestRng::deterministic_rng(RngAlgorithm::default()),
    );
    runner
        .run(&points(domain), |(t, y, p)| {
            let (jac, _) = R::derivatives(t, &y, &p);
            let mut seen = seen.borrow_mut();
            for (k, &(i, j)) in S::PATTERN.iter().enumerate() {
                seen[k] |= jac[i][j] != 0.0;
            }
            Ok(())
        })
        .expect("sampling");
    let never: Vec<_> = S::PATTERN
        .iter()
        .zip(seen.into_inner())
        .filter(|&(_, seen)| !seen)
        .map(|(e, _)| *e)
        .collect();
    assert!(
        never.is_empty(),
        "PATTERN entries never non-zero: {never:?}"
    );
}

/// All checks of one system.
fn check_system<S, R, const N: usize, const P: usize>(domain: fn() -> Domain<N, P>)
where
    S: Generated<N, P>,
    R: Reference<N, P>,
{
    check_structure::<S, N, P>();
    check_pattern_is_tight::<S, R, N, P>(domain());
    TestRunner::new(config(CASES))
        .run(&points(domain()), |(t, y, p)| {
            check_point::<S, R, N, P>(t, &y, &p)
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

macro_rules! corpus_tests {
    ($($name:ident: $sys:ident, $reference:ident, $domain:ident;)*) => {$(
        #[test]
        fn $name() {
            check_system::<$sys, $reference, { $sys::N }, { $sys::PARAMS.len() }>($domain);
        }
    )*};
}

corpus_tests! {
    robertson: Robertson, RobertsonAd, robertson_domain;
    lotka_volterra: LotkaVolterra, LotkaVolterraAd, lotka_volterra_domain;
    pendulum: Pendulum, PendulumAd, pendulum_domain;
    arenstorf: Arenstorf, ArenstorfAd, arenstorf_domain;
    kepler: Kepler, KeplerAd, kepler_domain;
    coagulation: Coagulation, CoagulationAd, coagulation_domain;
    lorenz96: Lorenz96, Lorenz96Ad, lorenz96_domain;
    friction: Friction, FrictionAd, friction_domain;
    exponentials: Exponentials, ExponentialsAd, exponentials_domain;
    trigonometry: Trigonometry, TrigonometryAd, trigonometry_domain;
    scopes: Scopes, ScopesAd, scopes_domain;
    nested_branches: NestedBranches, NestedBranchesAd, nested_branches_domain;
    units: Units, UnitsAd, units_domain;
    units_by_hand: Units, UnitsByHand, units_domain;
    van_der_pol: VanDerPol, VanDerPolAd, van_der_pol_domain;
    duffing: Duffing, DuffingAd, duffing_domain;
    oregonator: Oregonator, OregonatorAd, oregonator_domain;
    tuned_oscillator: TunedOscillator, TunedOscillatorAd, tuned_oscillator_domain;
}

/// Whether `a` and `b` agree to 1e-15 relative (a few ulps, for a different rounding order).
fn ulps_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-15 * a.abs().max(b.abs())
}

proptest! {
    #![proptest_config(config(CASES))]

    /// Robertson's Jacobian and `∂f/∂p` by hand (Hairer & Wanner II, §IV.1): with
    /// `f = (-k1 y1 + k3 y2 y3, k1 y1 - k2 y2² - k3 y2 y3, k2 y2²)`,
    /// `J = [[-k1, k3 y3, k3 y2], [k1, -2 k2 y2 - k3 y3, -k3 y2], [0, 2 k2 y2, 0]]` and
    /// `∂f/∂(k1, k2, k3) = [[-y1, 0, y2 y3], [y1, -y2², -y2 y3], [0, y2², 0]]`.
    #[test]
    fn robertson_by_hand((t, y, p) in points(robertson_domain())) {
        let [y1, y2, y3] = y;
        let [k1, k2, k3] = p;
        let exact = [
            [-k1, k3 * y3, k3 * y2],
            [k1, -2.0 * k2 * y2 - k3 * y3, -k3 * y2],
            [0.0, 2.0 * k2 * y2, 0.0],
        ];
        let exact_p = [
            [-y1, 0.0, y2 * y3],
            [y1, -y2 * y2, -y2 * y3],
            [0.0, y2 * y2, 0.0],
        ];
        let sys = Robertson::from_params(p);
        let (mut jac, mut dfdp) = ([[f64::NAN; 3]; 3], [[f64::NAN; 3]; 3]);
        sys.jacobian(t, &y, &mut jac);
        sys.param_jacobian(t, &y, &mut dfdp);
        for i in 0..3 {
            for j in 0..3 {
                prop_assert!(ulps_close(jac[i][j], exact[i][j]), "J[{i}][{j}]: {jac:?}");
                prop_assert!(
                    ulps_close(dfdp[i][j], exact_p[i][j]),
                    "∂f/∂p[{i}][{j}]: {dfdp:?}"
                );
            }
        }
    }

    /// Lotka–Volterra by hand: with `f = (a x - b x y, -c y + d x y)`,
    /// `J = [[a - b y, -b x], [d y, -c + d x]]` and
    /// `∂f/∂(a, b, c, d) = [[x, -x y, 0, 0], [0, 0, -y, x y]]`.
    #[test]
    fn lotka_volterra_by_hand((t, y, p) in points(lotka_volterra_domain())) {
        let [x, z] = y;
        let [a, b, c, d] = p;
        let exact = [[a - b * z, -b * x], [d * z, -c + d * x]];
        let exact_p = [[x, -x * z, 0.0, 0.0], [0.0, 0.0, -z, x * z]];
        let sys = LotkaVolterra::from_params(p);
        let (mut jac, mut dfdp) = ([[f64::NAN; 2]; 2], [[f64::NAN; 4]; 2]);
        sys.jacobian(t, &y, &mut jac);
        sys.param_jacobian(t, &y, &mut dfdp);
        for i in 0..2 {
            for j in 0..2 {
                prop_assert!(ulps_close(jac[i][j], exact[i][j]), "J[{i}][{j}]: {jac:?}");
            }
            for k in 0..4 {
                prop_assert!(
                    ulps_close(dfdp[i][k], exact_p[i][k]),
                    "∂f/∂p[{i}][{k}]: {dfdp:?}"
                );
            }
        }
    }
}

/// The patterns of the hand-derived Jacobians above: Robertson's `J[2][0]`, `J[2][2]` vanish
/// identically, Lotka–Volterra's is dense.
#[test]
fn patterns_by_hand() {
    assert_eq!(
        Robertson::PATTERN,
        &[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 1)]
    );
    assert_eq!(LotkaVolterra::PATTERN, &[(0, 0), (0, 1), (1, 0), (1, 1)]);
}

/// The corpus uses every method and construct the macro's documentation lists; this keeps it
/// so when systems change.
#[test]
fn corpus_covers_every_supported_function_and_construct() {
    let code: String = include_str!("systems/mod.rs")
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let methods = [
        "powi",
        "powf",
        "sqrt",
        "cbrt",
        "exp",
        "exp2",
        "exp_m1",
        "ln",
        "ln_1p",
        "log",
        "log10",
        "log2",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "atan2",
        "sinh",
        "cosh",
        "tanh",
        "abs",
        "signum",
        "min",
        "max",
        "hypot",
        "recip",
        "mul_add",
        "to_degrees",
        "to_radians",
    ];
    let mut missing: Vec<String> = methods
        .iter()
        .map(|m| format!(".{m}("))
        .filter(|m| !code.contains(m.as_str()))
        .collect();
    let constructs = [
        "f64::sin(",             // call syntax
        ".powf(1.5)",            // constant exponent
        ".powf(w)",              // variable exponent
        " PI ",                  // imported constants
        " E;",                   //
        "std::f64::consts::",    // full path
        "consts::LN_2",          // module path
        "f64::EPSILON",          //
        "STIFFNESS *",           // a constant of the crate
        "let [ax, ay] =",        // array destructuring
        "[x, v]: [f64; 2]",      // destructured state
        "y[0]",                  // named state
        "-(g / l)",              // unary minus
        "2f64",                  // integer literal with a float suffix
        "1e3",                   // float literal with exponent
        "let drag = if",         // if/else as value
        "} else if",             // else-if chain
        "&&",                    //
        "||",                    //
        "!sliding",              //
        "spring = -x",           // assignment to an outer `let mut` in a branch
        "for j in i..20",        // nested loop, bound from the enclosing index
        "for j in 0..=4",        // inclusive range
        "dc[i] -= rate",         //
        "dc[i + j + 1] += rate", //
        "advection[j] *=",       //
        "dx[j] /= tau",          //
        "advection[j] = ",       //
        "x[(j + 1) % 5]",        // index arithmetic
        "((i + 1) as f64)",      // index as a number
        "if i == j",             // condition known at expansion time
        "let b = {",             // block expression
        "let [p, q] = if",       // array-valued `if`
    ];
    missing.extend(
        constructs
            .iter()
            .filter(|c| !code.contains(*c))
            .map(|c| c.to_string()),
    );
    assert!(missing.is_empty(), "not covered by the corpus: {missing:?}");
}

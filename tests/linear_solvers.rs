//! `solve_ivp`'s choice of linear solver (`Options::linear_solver`): every implicit method with
//! the dense and the sparse LU and the automatic choice, on the 2-D heat equation (against its
//! exact semi-discrete solution), the 2-D Brusselator (sparse against dense) and a complex
//! heat equation (against its exact solution); and the refusals.

#[path = "problems/brusselator2d.rs"]
mod brusselator2d;
#[path = "problems/grids.rs"]
mod grids;
#[path = "problems/heat2d.rs"]
mod heat2d;
use brusselator2d::Brusselator2d;
use grids::{brusselator_start, Brusselator8, Heat2d10};
use heat2d::heat2d_mode;
use num_complex::Complex;
use odegen::linalg::SymbolicLu;
use odegen::system::JacobianStructure;
use odegen::{solve_ivp, Error, LinearSolverKind, Method, OdeSystem, Options, Sparsity, Status};

const KINDS: [LinearSolverKind; 3] = [
    LinearSolverKind::Dense,
    LinearSolverKind::Sparse,
    LinearSolverKind::Auto,
];

fn max_err<S: Copy, const N: usize>(y: &[S; N], r: &[S; N], abs: impl Fn(S, S) -> f64) -> f64 {
    (0..N).map(|i| abs(y[i], r[i])).fold(0.0, f64::max)
}

/// What `Auto` resolves to on the test systems: both have at least
/// `AUTO_SPARSE_MIN_N` equations and patterns far sparser than an eighth of `N²`.
#[test]
fn auto_takes_the_sparse_lu_for_large_sparse_patterns_only() {
    // Heat 10 × 10: 460 of 10⁴ entries, 1490 in L + U.
    assert!(<Heat2d10 as Sparsity<100>>::PATTERN.len() * 8 <= 100 * 100);
    assert!(<Heat2d10 as SymbolicLu<100>>::LU.nnz() * 4 <= 100 * 100);
    let auto = LinearSolverKind::Auto;
    let heat = auto.resolve::<_, f64, 100>(&Heat2d10, Method::Bdf);
    assert_eq!(heat.unwrap(), Some(LinearSolverKind::Sparse));
    let bruss = Brusselator8::new(3.4, 1.0, 10.0);
    let lu = <Brusselator8 as SymbolicLu<128>>::LU.nnz();
    let expected = if lu * 4 <= 128 * 128 {
        LinearSolverKind::Sparse
    } else {
        LinearSolverKind::Dense
    };
    println!("Brusselator 8 × 8: nnz(L + U) = {lu}");
    let r = auto.resolve::<_, f64, 128>(&bruss, Method::Radau);
    assert_eq!(r.unwrap(), Some(expected));
    // Explicit methods have no linear solver, whatever is asked.
    for kind in KINDS {
        let r = kind.resolve::<_, f64, 100>(&Heat2d10, Method::Rk45);
        assert_eq!(r.unwrap(), None);
    }
    // A small system stays dense under Auto.
    let small = auto.resolve::<_, f64, 3>(&Chain, Method::Bdf);
    assert_eq!(small.unwrap(), Some(LinearSolverKind::Dense));
}

#[test]
fn every_implicit_method_with_every_linear_solver_solves_the_2d_heat_equation() {
    let t1 = 0.02;
    let exact = heat2d_mode::<100>(10, t1);
    for method in Method::implicit() {
        for rtol in [1e-5, 1e-8] {
            for kind in KINDS {
                let options = Options::new(method)
                    .rtol(rtol)
                    .atol(1e-3 * rtol)
                    .linear_solver(kind);
                let sol = solve_ivp(&Heat2d10, (0.0, t1), heat2d_mode(10, 0.0), options).unwrap();
                assert_eq!(sol.status, Status::Finished, "{method} {kind:?}");
                let expected = match kind {
                    LinearSolverKind::Dense => LinearSolverKind::Dense,
                    _ => LinearSolverKind::Sparse,
                };
                assert_eq!(sol.linear_solver, Some(expected), "{method} {kind:?}");
                let e = max_err(sol.y.last().unwrap(), &exact, |a, b| (a - b).abs());
                println!(
                    "{method} {kind:?} rtol {rtol:e}: error {e:.1e}, {:?}",
                    sol.stats
                );
                let bound = if method == Method::Rosenbrock23 {
                    30.0 * rtol.powf(2.0 / 3.0)
                } else {
                    30.0 * rtol
                };
                assert!(e < bound, "{method} {kind:?} {rtol:e}: {e:e}");
            }
        }
    }
}

/// The Brusselator across the switch-on of its forcing (`t = 1.1`): the sparse LU's solution
/// agrees with the dense one far inside the tolerance, with the same work to within 5 %.
#[test]
fn sparse_and_dense_agree_on_the_brusselator_for_every_implicit_method() {
    let sys = Brusselator8::new(3.4, 1.0, 10.0);
    let y0 = brusselator_start::<128>(8);
    let rtol = 1e-6;
    for method in Method::implicit() {
        let run = |kind| {
            let options = Options::new(method)
                .rtol(rtol)
                .atol(rtol)
                .first_step(1e-4)
                .linear_solver(kind);
            solve_ivp(&sys, (0.0, 1.5), y0, options).unwrap()
        };
        let (dense, sparse) = (run(LinearSolverKind::Dense), run(LinearSolverKind::Sparse));
        assert!(dense.success && sparse.success, "{method}");
        let (yd, ys) = (dense.y.last().unwrap(), sparse.y.last().unwrap());
        let scale = yd.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let diff = max_err(ys, yd, |a, b| (a - b).abs()) / scale;
        println!(
            "{method}: {diff:.1e}\n  sparse {:?}\n  dense  {:?}",
            sparse.stats, dense.stats
        );
        assert!(diff < rtol, "{method}: {diff:e}");
        let (ns, nd) = (sparse.stats.n_accepted, dense.stats.n_accepted);
        assert!(ns.abs_diff(nd) * 20 <= nd.max(20), "{method}: {ns} {nd}");
    }
}

/// `u' = c u_xx` with the complex diffusivity `c = 1 + i` on 40 interior points: each
/// eigenvector `sin(k π x)` decays and turns with `e^{c λ_k t}` (`λ_k` the real eigenvalues of
/// the tridiagonal second difference), so the exact solution is a sum of three of them.
struct ComplexHeat;
const NC: usize = 40;
const C: Complex<f64> = Complex::new(1.0, 1.0);

impl OdeSystem<NC, Complex<f64>> for ComplexHeat {
    fn rhs(&self, _t: f64, y: &[Complex<f64>; NC], dy: &mut [Complex<f64>; NC]) {
        let inv_h2 = ((NC + 1) * (NC + 1)) as f64;
        let zero = Complex::new(0.0, 0.0);
        for i in 0..NC {
            let left = if i > 0 { y[i - 1] } else { zero };
            let right = if i + 1 < NC { y[i + 1] } else { zero };
            dy[i] = C * (left - y[i] * 2.0 + right) * inv_h2;
        }
    }
    fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
        Some(JacobianStructure::of::<Self, NC>())
    }
}

/// The tridiagonal pattern of `n` rows, row by row.
const fn tridiagonal<const M: usize>(n: usize) -> [(usize, usize); M] {
    let mut p = [(0, 0); M];
    let (mut i, mut k) = (0, 0);
    while i < n {
        if i > 0 {
            p[k] = (i, i - 1);
            k += 1;
        }
        p[k] = (i, i);
        k += 1;
        if i + 1 < n {
            p[k] = (i, i + 1);
            k += 1;
        }
        i += 1;
    }
    p
}

impl Sparsity<NC> for ComplexHeat {
    const PATTERN: &'static [(usize, usize)] = &tridiagonal::<{ 3 * NC - 2 }>(NC);
    const COLORS: [usize; NC] = {
        let mut c = [0; NC];
        let mut i = 0;
        while i < NC {
            c[i] = i % 3;
            i += 1;
        }
        c
    };
    const N_COLORS: usize = 3;
}

fn complex_heat_exact(t: f64) -> [Complex<f64>; NC] {
    let h = 1.0 / (NC + 1) as f64;
    let pi = std::f64::consts::PI;
    let mut y = [Complex::new(0.0, 0.0); NC];
    for (k, a) in [(1usize, 1.0), (2, 0.5), (5, 0.3)] {
        let kf = k as f64;
        let lambda = -4.0 / (h * h) * (kf * pi * h / 2.0).sin().powi(2);
        for (i, yi) in y.iter_mut().enumerate() {
            *yi += (C * lambda * t).exp() * a * (kf * pi * (i + 1) as f64 * h).sin();
        }
    }
    y
}

/// Complex states with the sparse LU: Radau's pair systems through the eigenvectors of the
/// complex shift (`RuntimeSparseComplexRadauLu`), Bdf's and the Rosenbrock methods' in complex
/// arithmetic, against the exact solution; coloured differences into the structure.
#[test]
fn complex_states_run_on_the_sparse_lu_against_the_exact_solution() {
    let t1 = 0.01;
    let exact = complex_heat_exact(t1);
    for method in Method::implicit() {
        let rtol = 1e-7;
        let options = Options::new(method)
            .rtol(rtol)
            .atol(1e-10)
            .linear_solver(LinearSolverKind::Sparse);
        let sol = solve_ivp(&ComplexHeat, (0.0, t1), complex_heat_exact(0.0), options).unwrap();
        assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
        let e = max_err(sol.y.last().unwrap(), &exact, |a, b| (a - b).norm());
        println!("{method}: error {e:.1e}, {:?}", sol.stats);
        let bound = if method == Method::Rosenbrock23 {
            30.0 * rtol.powf(2.0 / 3.0)
        } else {
            30.0 * rtol
        };
        assert!(e < bound, "{method}: {e:e}");
    }
}

/// A decaying chain without a reported pattern.
struct Chain;
impl OdeSystem<3> for Chain {
    fn rhs(&self, _t: f64, y: &[f64; 3], dy: &mut [f64; 3]) {
        *dy = [-y[0], y[0] - y[1], y[1] - y[2]];
    }
}

#[test]
fn the_sparse_lu_without_a_pattern_is_refused_before_any_step() {
    for method in Method::implicit() {
        let options = Options::new(method).linear_solver(LinearSolverKind::Sparse);
        let r = solve_ivp(&Chain, (0.0, 1.0), [1.0, 0.0, 0.0], options);
        let Err(Error::InvalidOption { what }) = r else {
            panic!("{method}: {r:?}");
        };
        assert!(what.contains("jacobian_structure"), "{what}");
        // Auto falls back to the dense LU.
        let auto = solve_ivp(&Chain, (0.0, 1.0), [1.0, 0.0, 0.0], Options::new(method)).unwrap();
        assert_eq!(auto.linear_solver, Some(LinearSolverKind::Dense));
    }
}

/// Dual-number states have no sparse Radau solver: asked for, it is refused; under `Auto`
/// Radau keeps the dense solver, and Bdf takes the sparse LU (any scalar).
#[test]
fn dual_states_refuse_sparse_radau_and_auto_keeps_it_dense() {
    use num_dual::Dual64;
    /// `y' = −p y` on 40 decoupled components, `p = 2 + ε`: `∂y/∂p = −t y`.
    struct Decay;
    impl OdeSystem<NC, Dual64> for Decay {
        fn rhs(&self, _t: f64, y: &[Dual64; NC], dy: &mut [Dual64; NC]) {
            let p = Dual64::new(2.0, 1.0);
            for i in 0..NC {
                dy[i] = -(p * y[i]);
            }
        }
        fn jacobian_structure(&self) -> Option<JacobianStructure<'_>> {
            Some(JacobianStructure::of::<Self, NC>())
        }
    }
    impl Sparsity<NC> for Decay {
        const PATTERN: &'static [(usize, usize)] = &{
            let mut p = [(0, 0); NC];
            let mut i = 0;
            while i < NC {
                p[i] = (i, i);
                i += 1;
            }
            p
        };
        const COLORS: [usize; NC] = [0; NC];
        const N_COLORS: usize = 1;
    }
    let y0 = [Dual64::from_re(1.0); NC];
    let sparse = Options::new(Method::Radau).linear_solver(LinearSolverKind::Sparse);
    let r = solve_ivp(&Decay, (0.0, 1.0), y0, sparse);
    assert!(matches!(r, Err(Error::InvalidOption { .. })), "{r:?}");
    let radau = solve_ivp(&Decay, (0.0, 1.0), y0, Options::new(Method::Radau)).unwrap();
    assert_eq!(radau.linear_solver, Some(LinearSolverKind::Dense));
    let options = Options::new(Method::Bdf).rtol(1e-8).atol(1e-10);
    let bdf = solve_ivp(&Decay, (0.0, 1.0), y0, options).unwrap();
    assert_eq!(bdf.linear_solver, Some(LinearSolverKind::Sparse));
    // y(1) = e⁻², ∂y/∂p = −e⁻².
    let y1 = bdf.y.last().unwrap()[7];
    let e2 = (-2.0f64).exp();
    assert!(
        (y1.re - e2).abs() < 1e-6 && (y1.eps + e2).abs() < 1e-6,
        "{y1:?}"
    );
}

/// The hand-written Brusselator (a run-time pattern, coloured and analysed when built) against
/// the `#[ode_system]` one (pattern, colouring, LU structure and symbolic Jacobian generated):
/// the same right-hand side, the same Jacobian entry by entry, and the same solution through
/// the run-time sparse LU.
#[test]
fn a_run_time_pattern_solves_the_brusselator_as_the_generated_one() {
    let hand = Brusselator2d::<128>::new(8);
    let generated = Brusselator8::new(3.4, 1.0, 10.0);
    let y0 = brusselator_start::<128>(8);
    assert_eq!(hand.start(), y0);
    for t in [0.0, 1.2] {
        let (mut fh, mut fg) = ([0.0; 128], [0.0; 128]);
        hand.rhs(t, &y0, &mut fh);
        generated.rhs(t, &y0, &mut fg);
        assert!(
            max_err(&fh, &fg, |a, b| (a - b).abs()) <= 1e-9 * 5e3,
            "t = {t}"
        );
    }
    let mut jh = Box::new([[0.0; 128]; 128]);
    let mut jg = Box::new([[0.0; 128]; 128]);
    hand.newton_jacobian(0.0, &y0, &[0.0; 128], &mut jh);
    generated.newton_jacobian(0.0, &y0, &[0.0; 128], &mut jg);
    for i in 0..128 {
        assert!(
            max_err(&jh[i], &jg[i], |a, b| (a - b).abs()) < 1e-9,
            "row {i}"
        );
    }
    let s = hand.jacobian_structure().unwrap();
    assert_eq!(s.pattern.len(), 6 * 128);
    assert!(s.lu.is_some());
    // Colours: distance-2 on the periodic 5-point stencil with the u–v coupling.
    assert!(s.n_colors <= 13, "{}", s.n_colors);
    for method in [Method::Rodas5P, Method::Bdf, Method::Radau] {
        let options = Options::new(method).rtol(1e-7).atol(1e-7).first_step(1e-4);
        let a = solve_ivp(&hand, (0.0, 1.5), y0, options.clone()).unwrap();
        let b = solve_ivp(&generated, (0.0, 1.5), y0, options).unwrap();
        assert_eq!(a.linear_solver, Some(LinearSolverKind::Sparse));
        let diff = max_err(a.y.last().unwrap(), b.y.last().unwrap(), |a, b| {
            (a - b).abs()
        });
        assert!(diff < 1e-6, "{method}: {diff:e}");
    }
}

/// The hand-written 2-D heat equation (run-time pattern) against the generated one and the
/// exact solution, through the automatic solver.
#[test]
fn a_run_time_pattern_solves_the_2d_heat_equation_as_the_generated_one() {
    let hand = heat2d::SparseHeat2d::<100>::new(10);
    let y0 = heat2d_mode::<100>(10, 0.0);
    let (mut fh, mut fg) = ([0.0; 100], [0.0; 100]);
    hand.rhs(0.0, &y0, &mut fh);
    Heat2d10.rhs(0.0, &y0, &mut fg);
    assert!(max_err(&fh, &fg, |a, b| (a - b).abs()) < 1e-9);
    let t1 = 0.02;
    let exact = heat2d_mode::<100>(10, t1);
    for method in [Method::Rodas5P, Method::Bdf, Method::AdaptiveRadau] {
        let options = Options::new(method).rtol(1e-7).atol(1e-10);
        let sol = solve_ivp(&hand, (0.0, t1), y0, options).unwrap();
        assert_eq!(sol.linear_solver, Some(LinearSolverKind::Sparse));
        let e = max_err(sol.y.last().unwrap(), &exact, |a, b| (a - b).abs());
        assert!(e < 3e-6, "{method}: {e:e}");
    }
}

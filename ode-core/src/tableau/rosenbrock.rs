//! Rosenbrock methods (linearly implicit Runge–Kutta methods) as constant data.
//!
//! In the form of Hairer & Wanner, *Solving ODEs II* (2nd ed.), IV.7, eq. (7.25), which their
//! RODAS and the peers' codes use: with `M = I/(γ h) − J`, `J = ∂f/∂y(t_n, y_n)` and
//! `T = ∂f/∂t(t_n, y_n)`, each stage solves one linear system with the same matrix,
//!
//! ```text
//! M K_i = f(t_n + c_i h, y_n + Σ_{j<i} a_ij K_j) + Σ_{j<i} (C_ij / h) K_j + h d_i T
//! y_{n+1} = y_n + Σ_i b_i K_i,        err = Σ_i e_i K_i
//! ```
//!
//! (`K_i` are increments, of the size of `h f`). A stiffly accurate method (Rodas) has
//! `b_i = a_si` for `i < s` and `b_s = 1`, and its error estimate is `K_s`. The continuous
//! extension is kept as monomial weights, `y(t_n + θ h) = y_n + Σ_p θ^{p+1} Σ_i Q_pi K_i`.

/// A Rosenbrock method with `S` stages and a dense output of degree `D`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RosenbrockTableau<const S: usize, const D: usize> {
    /// The diagonal `γ` of the iteration matrix `I/(γ h) − J`.
    pub gamma: f64,
    /// Stage arguments `a_ij` (zero on and above the diagonal).
    pub a: [[f64; S]; S],
    /// Stage couplings `C_ij` (zero on and above the diagonal).
    pub coupling: [[f64; S]; S],
    /// Nodes `c_i`.
    pub c: [f64; S],
    /// Coefficients `d_i` of `h ∂f/∂t` (Hairer's `γ_i`).
    pub d: [f64; S],
    /// Weights of the propagated solution.
    pub b: [f64; S],
    /// Weights of the error estimate.
    pub e: [f64; S],
    /// Dense output: `Q[p][i]`, the weight of `K_i` in the coefficient of `θ^{p+1}`.
    pub dense: [[f64; S]; D],
    /// Order of the propagated solution.
    pub order: u32,
    /// The error estimate is `O(h^{error_exponent})`: the step-size exponent is its inverse.
    pub error_exponent: u32,
    /// The last stage is evaluated at `(t_n + h, y_{n+1})` (its argument is `y_{n+1}`, `c_s = 1`):
    /// its `f` is the next step's first.
    pub fsal: bool,
}

/// A stiffly accurate tableau from Steinebach's and Hairer's layout (`a`, `C`, `c`, `d` and the
/// dense-output rows `H`, with `y(θ) = (1 − θ) y_n + θ (y_{n+1} + (1 − θ)(k_1 + θ k_2 + θ² k_3))`,
/// `k_j = Σ_i H_ji K_i`): `b` and `e` follow from stiff accuracy, `Q` from multiplying out.
const fn stiffly_accurate<const S: usize, const D: usize, const H: usize>(
    gamma: f64,
    a: [[f64; S]; S],
    coupling: [[f64; S]; S],
    c: [f64; S],
    d: [f64; S],
    h: [[f64; S]; H],
    order: u32,
) -> RosenbrockTableau<S, D> {
    assert!(
        D == H + 1,
        "the dense output has one more term than H has rows"
    );
    let mut b = [0.0; S];
    let mut i = 0;
    while i < S - 1 {
        b[i] = a[S - 1][i];
        i += 1;
    }
    b[S - 1] = 1.0;
    let mut e = [0.0; S];
    e[S - 1] = 1.0;
    // θ b·K + (θ − θ²)(k_1 + θ k_2 + θ² k_3): θ^1: b + H_1; θ^{p}: H_p − H_{p−1}; θ^{H+1}: −H_H.
    let mut dense = [[0.0; S]; D];
    let mut i = 0;
    while i < S {
        dense[0][i] = b[i] + h[0][i];
        let mut p = 1;
        while p < H {
            dense[p][i] = h[p][i] - h[p - 1][i];
            p += 1;
        }
        dense[H][i] = -h[H - 1][i];
        i += 1;
    }
    RosenbrockTableau {
        gamma,
        a,
        coupling,
        c,
        d,
        b,
        e,
        dense,
        order,
        error_exponent: order,
        fsal: false,
    }
}

/// Rodas5P: Steinebach, *Construction of Rosenbrock–Wanner method Rodas5P and numerical
/// benchmarks within the Julia Differential Equations package*, BIT Numer. Math. 63 (2023) 27;
/// order 5(4), 8 stages, stiffly accurate and L-stable, with its dense output of order 4.
/// The coefficients in the form above, as DifferentialEquations.jl tabulates them.
pub const RODAS5P: RosenbrockTableau<8, 4> = stiffly_accurate(
    0.21193756319429014,
    [
        [0.0; 8],
        [3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [
            2.849394379747939,
            0.45842242204463923,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            -6.954028509809101,
            2.489845061869568,
            -10.358996098473584,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            2.8029986275628964,
            0.5072464736228206,
            -0.3988312541770524,
            -0.04721187230404641,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            -7.502846399306121,
            2.561846144803919,
            -11.627539656261098,
            -0.18268767659942256,
            0.030198172008377946,
            0.0,
            0.0,
            0.0,
        ],
        [
            -7.502846399306121,
            2.561846144803919,
            -11.627539656261098,
            -0.18268767659942256,
            0.030198172008377946,
            1.0,
            0.0,
            0.0,
        ],
        [
            -7.502846399306121,
            2.561846144803919,
            -11.627539656261098,
            -0.18268767659942256,
            0.030198172008377946,
            1.0,
            1.0,
            0.0,
        ],
    ],
    [
        [0.0; 8],
        [-14.155112264123755, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [
            -17.97296035885952,
            -2.859693295451294,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            147.12150275711716,
            -1.41221402718213,
            71.68940251302358,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            165.43517024871676,
            -0.4592823456491126,
            42.90938336958603,
            -5.961986721573306,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
        [
            24.854864614690072,
            -3.0009227002832186,
            47.4931110020768,
            5.5814197821558125,
            -0.6610691825249471,
            0.0,
            0.0,
            0.0,
        ],
        [
            30.91273214028599,
            -3.1208243349937974,
            77.79954646070892,
            34.28646028294783,
            -19.097331116725623,
            -28.087943162872662,
            0.0,
            0.0,
        ],
        [
            37.80277123390563,
            -3.2571969029072276,
            112.26918849496327,
            66.9347231244047,
            -40.06618937091002,
            -54.66780262877968,
            -9.48861652309627,
            0.0,
        ],
    ],
    [
        0.0,
        0.6358126895828704,
        0.4095798393397535,
        0.9769306725060716,
        0.4288403609558664,
        1.0,
        1.0,
        1.0,
    ],
    [
        0.21193756319429014,
        -0.42387512638858027,
        -0.3384627126235924,
        1.8046452872882734,
        2.325825639765069,
        0.0,
        0.0,
        0.0,
    ],
    [
        [
            25.948786856663858,
            -2.5579724845846235,
            10.433815404888879,
            -2.3679251022685204,
            0.524948541321073,
            1.1241088310450404,
            0.4272876194431874,
            -0.17202221070155493,
        ],
        [
            -9.91568850695171,
            -0.9689944594115154,
            3.0438037242978453,
            -24.495224566215796,
            20.176138334709044,
            15.98066361424651,
            -6.789040303419874,
            -6.710236069923372,
        ],
        [
            11.419903575922262,
            2.8879645146136994,
            72.92137995996029,
            80.12511834622643,
            -52.072871366152654,
            -59.78993625266729,
            -0.15582684282751913,
            4.883087185713722,
        ],
    ],
    5,
);

/// Rodas4: Hairer & Wanner's RODAS (*Solving ODEs II*, IV.7, Table 7.3; their code `rodas.f`,
/// `METH = 1`); order 4(3), 6 stages, stiffly accurate and L-stable, dense output of order 3.
pub const RODAS4: RosenbrockTableau<6, 3> = stiffly_accurate(
    0.25,
    [
        [0.0; 6],
        [1.544, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.9466785280815826, 0.2557011698983284, 0.0, 0.0, 0.0, 0.0],
        [
            3.314825187068521,
            2.896124015972201,
            0.9986419139977817,
            0.0,
            0.0,
            0.0,
        ],
        [
            1.221224509226641,
            6.019134481288629,
            12.53708332932087,
            -0.687886036105895,
            0.0,
            0.0,
        ],
        [
            1.221224509226641,
            6.019134481288629,
            12.53708332932087,
            -0.687886036105895,
            1.0,
            0.0,
        ],
    ],
    [
        [0.0; 6],
        [-5.6688, 0.0, 0.0, 0.0, 0.0, 0.0],
        [-2.430093356833875, -0.2063599157091915, 0.0, 0.0, 0.0, 0.0],
        [
            -0.1073529058151375,
            -9.594562251023355,
            -20.47028614809616,
            0.0,
            0.0,
            0.0,
        ],
        [
            7.496443313967647,
            -10.24680431464352,
            -33.99990352819905,
            11.7089089320616,
            0.0,
            0.0,
        ],
        [
            8.083246795921522,
            -7.981132988064893,
            -31.52159432874371,
            16.31930543123136,
            -6.058818238834054,
            0.0,
        ],
    ],
    [0.0, 0.386, 0.21, 0.63, 1.0, 1.0],
    [0.25, -0.1043, 0.1035, -0.0362, 0.0, 0.0],
    [
        [
            10.12623508344586,
            -7.487995877610167,
            -34.80091861555747,
            -7.992771707568823,
            1.025137723295662,
            0.0,
        ],
        [
            -0.6762803392801253,
            6.087714651680015,
            16.43084320892478,
            24.76722511418386,
            -6.594389125716872,
            0.0,
        ],
    ],
    4,
);

/// `d = 1/(2 + √2)`, the diagonal of Shampine & Reichelt's `ode23s`.
const D23: f64 = 0.29289321881345254;
/// `e32 = 6 + √2`.
const E32: f64 = 7.414213562373095;
/// `1/(1 − 2d)` of the interpolant.
const A23: f64 = 1.0 / (1.0 - 2.0 * D23);

/// Rosenbrock23: Shampine & Reichelt's `ode23s` (*The MATLAB ODE Suite*, SIAM J. Sci. Comput.
/// 18 (1997) 1–22, Section 3): an L-stable second-order formula of two stages, with a third
/// stage at `(t_n + h, y_{n+1})` for an error estimate of order 3 that is the next step's first
/// evaluation, and the paper's quadratic interpolant. Its second-order result stays second
/// order with any approximation of `J` (a W-method).
///
/// The paper's `W = I − h d J`, `k_1 = W⁻¹(F_0 + h d T)`, `k_2 = W⁻¹(F_1 − k_1) + k_1`,
/// `y_{n+1} = y_n + h k_2`, `k_3 = W⁻¹(F_2 − e_32 (k_2 − F_1) − 2 (k_1 − F_0) + h d T)` and
/// `err = h/6 (k_1 − 2 k_2 + k_3)`, rewritten in the form above with `γ = d`: `K_1 = h d k_1`,
/// `K_2 = h d (k_2 − k_1)`, `K_3 = h d (k_3 − e_32 (k_2 − k_1) − 2 k_1)` (using
/// `I − W = I − h d M`, so that every stage is one solve with `M`).
pub const ROSENBROCK23: RosenbrockTableau<3, 2> = RosenbrockTableau {
    gamma: D23,
    a: [
        [0.0, 0.0, 0.0],
        [0.5 / D23, 0.0, 0.0],
        [1.0 / D23, 1.0 / D23, 0.0],
    ],
    coupling: [
        [0.0, 0.0, 0.0],
        [-1.0 / D23, 0.0, 0.0],
        [-2.0 / D23, -E32 / D23, 0.0],
    ],
    c: [0.0, 0.5, 1.0],
    d: [D23, 0.0, -D23],
    b: [1.0 / D23, 1.0 / D23, 0.0],
    e: [
        1.0 / (6.0 * D23),
        (E32 - 2.0) / (6.0 * D23),
        1.0 / (6.0 * D23),
    ],
    // y_n + h [θ(1 − θ) k_1 + θ(θ − 2d) k_2] / (1 − 2d).
    dense: [[1.0 / D23, -2.0 * A23, 0.0], [0.0, A23 / D23, 0.0]],
    order: 2,
    error_exponent: 3,
    fsal: true,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// One step of the method on `y' = λ y`, `y_0 = 1`, with `z = h λ`: the stability
    /// function `R(z)` (*Solving ODEs II*, IV.7, eq. (7.19)), computed from the stage
    /// equations themselves (with `h = 1`: `(1/γ − z) K_i = z (1 + Σ a_ij K_j) + Σ C_ij K_j`).
    fn apply_linear<const S: usize, const D: usize>(tab: &RosenbrockTableau<S, D>, z: f64) -> f64 {
        // y' = λ y, y0 = 1, h λ = z: M = 1/(γ h) − λ, K_i = (z y_i + Σ C_ij K_j) / (1/γ − z) in
        // units where h = 1.
        let mut k = [0.0; S];
        for i in 0..S {
            let mut arg = 1.0;
            for j in 0..i {
                arg += tab.a[i][j] * k[j];
            }
            let mut rhs = z * arg;
            for j in 0..i {
                rhs += tab.coupling[i][j] * k[j];
            }
            k[i] = rhs / (1.0 / tab.gamma - z);
        }
        1.0 + (0..S).map(|i| tab.b[i] * k[i]).sum::<f64>()
    }

    #[test]
    fn stability_functions_match_exp_to_the_order_and_vanish_at_infinity() {
        // R(z) − e^z = O(z^{p+1}) at least: halving z divides the difference by 2^{p+1} or
        // more (Rodas5P's R matches e^z to O(z^7), one order beyond its classical order).
        fn check<const S: usize, const D: usize>(tab: &RosenbrockTableau<S, D>, name: &str) {
            let p = tab.order as i32;
            let d1 = apply_linear(tab, -0.1) - (-0.1f64).exp();
            let d2 = apply_linear(tab, -0.05) - (-0.05f64).exp();
            let ratio = (d1 / d2).log2();
            assert!(ratio > f64::from(p + 1) - 0.3, "{name}: {ratio}");
            // L-stability: R(−∞) = 0.
            assert!(apply_linear(tab, -1e12).abs() < 1e-6, "{name}");
            // A-stability along the negative axis.
            for k in 0..200 {
                let z = -(10f64).powf(k as f64 / 20.0 - 3.0);
                assert!(apply_linear(tab, z).abs() <= 1.0 + 1e-12, "{name} {z}");
            }
        }
        check(&RODAS5P, "Rodas5P");
        check(&RODAS4, "Rodas4");
        check(&ROSENBROCK23, "Rosenbrock23");
    }

    #[test]
    fn dense_output_ends_at_the_step_solution() {
        // Σ_p Q_pi = b_i: the interpolant at θ = 1 is y_{n+1}.
        fn check<const S: usize, const D: usize>(tab: &RosenbrockTableau<S, D>) {
            for i in 0..S {
                let s: f64 = (0..D).map(|p| tab.dense[p][i]).sum();
                assert!(
                    (s - tab.b[i]).abs() < 1e-12 * (1.0 + tab.b[i].abs()),
                    "{i}: {s}"
                );
            }
        }
        check(&RODAS5P);
        check(&RODAS4);
        check(&ROSENBROCK23);
    }

    #[test]
    fn the_first_time_coefficient_is_gamma() {
        // d_1 = Σ_j γ_1j = γ in Hairer's form: the h ∂f/∂t term of the first stage.
        assert_eq!(RODAS5P.d[0], RODAS5P.gamma);
        assert_eq!(RODAS4.d[0], RODAS4.gamma);
        assert_eq!(ROSENBROCK23.d[0], ROSENBROCK23.gamma);
    }
}

//! The three-stage Radau IIA method of order 5, in the form Hairer's RADAU5 integrates it.
//!
//! The collocation method with nodes `c = ((4 − √6)/10, (4 + √6)/10, 1)` (the zeros of the
//! right Radau polynomial; Hairer & Wanner, *Solving ODEs II*, IV.5, Table 5.6). Its matrix
//! `A` has one real eigenvalue and a complex pair; with `T` and `T⁻¹` as below,
//!
//! ```text
//! T⁻¹ A⁻¹ T = [ γ  0   0 ]        γ = 1/u1 ≈ 3.6378,
//!             [ 0  α  −β ]        α ≈ 2.6811, β ≈ 3.0504
//!             [ 0  β   α ]
//! ```
//!
//! so the `3N × 3N` Newton system splits into one real and one complex `N × N` system
//! (*Solving ODEs II*, IV.8, eqs. (8.15)–(8.17)). `T`'s last row is `(T31, 1, 0)`.
//!
//! The embedded error estimate uses `γ0 = 1/γ` and the weights `e = (DD1, DD2, DD3)/h` applied
//! to the stage increments `Z` (IV.8, eq. (8.19) and (8.20)). The constants are the decimal
//! values of Hairer's RADAU5 (1996); the unit tests check `T T⁻¹ = I` and the block form above
//! against the collocation matrix `A` computed from the nodes.

// RADAU5's 20-digit decimals are kept as published.
#![allow(clippy::excessive_precision)]

/// `√6`.
const SQ6: f64 = 2.449_489_742_783_178;

/// First node, `(4 − √6)/10`.
pub const C1: f64 = (4.0 - SQ6) / 10.0;
/// Second node, `(4 + √6)/10`.
pub const C2: f64 = (4.0 + SQ6) / 10.0;
/// `c1 − 1`.
pub const C1M1: f64 = C1 - 1.0;
/// `c2 − 1`.
pub const C2M1: f64 = C2 - 1.0;
/// `c1 − c2`.
pub const C1MC2: f64 = C1 - C2;

/// Error-estimate weights `DD1 = −(13 + 7√6)/3`.
pub const DD1: f64 = -(13.0 + 7.0 * SQ6) / 3.0;
/// `DD2 = (−13 + 7√6)/3`.
pub const DD2: f64 = (-13.0 + 7.0 * SQ6) / 3.0;
/// `DD3 = −1/3`.
pub const DD3: f64 = -1.0 / 3.0;

/// The real eigenvalue `γ` of `A⁻¹` (RADAU5's `U1` after inversion).
pub const GAMMA: f64 = 3.637_834_252_744_496;
/// Real part `α` of the complex eigenvalues of `A⁻¹`.
pub const ALPHA: f64 = 2.681_082_873_627_752_3;
/// Imaginary part `β` of the complex eigenvalues of `A⁻¹`.
pub const BETA: f64 = 3.050_430_199_247_410_5;

/// The eigenvector matrix `T` (row-major; `T[2] = (T31, 1, 0)`).
pub const T: [[f64; 3]; 3] = [
    [
        9.123_239_487_089_294_279_2e-2,
        -0.141_255_295_020_954_208_43,
        -3.002_919_410_514_742_449_2e-2,
    ],
    [
        0.241_717_932_707_107_018_96,
        0.204_129_352_293_799_931_99,
        0.382_942_112_757_261_937_79,
    ],
    [0.966_048_182_615_092_936_19, 1.0, 0.0],
];

/// `T⁻¹` (row-major).
pub const TI: [[f64; 3]; 3] = [
    [
        4.325_579_890_063_155_351_0,
        0.339_199_251_815_809_869_54,
        0.541_770_539_935_874_871_19,
    ],
    [
        -4.178_718_591_551_904_727_3,
        -0.327_682_820_761_062_387_08,
        0.476_623_554_500_550_451_96,
    ],
    [
        -0.502_872_634_945_786_875_95,
        2.571_926_949_855_605_429_2,
        -0.596_039_204_828_224_924_97,
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn mul(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
        let mut c = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                for k in 0..3 {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        c
    }

    /// The collocation matrix `a_ij = ∫_0^{c_i} ℓ_j(s) ds` of the nodes, with `ℓ_j` the
    /// Lagrange polynomials: solved from `Σ_j a_ij c_j^{k} = c_i^{k+1}/(k+1)`, `k = 0, 1, 2`.
    fn collocation_a() -> [[f64; 3]; 3] {
        let c = [C1, C2, 1.0];
        // Vandermonde V[k][j] = c_j^k; A = W V⁻¹ with W[i][k] = c_i^{k+1}/(k+1).
        let lu = crate::linalg::Lu::factor([
            [1.0, 1.0, 1.0],
            [c[0], c[1], c[2]],
            [c[0] * c[0], c[1] * c[1], c[2] * c[2]],
        ])
        .unwrap();
        // Row i of A solves Vᵀ-system: Σ_j a_ij c_j^k = c_i^{k+1}/(k+1), i.e. V a_i = w_i.
        let mut a = [[0.0; 3]; 3];
        for i in 0..3 {
            let mut w = [c[i], c[i] * c[i] / 2.0, c[i] * c[i] * c[i] / 3.0];
            lu.solve(&mut w);
            a[i] = w;
        }
        a
    }

    #[test]
    fn t_inverts_ti() {
        let p = mul(&T, &TI);
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((p[i][j] - want).abs() < 1e-14, "{p:?}");
            }
        }
    }

    #[test]
    fn t_block_diagonalises_the_inverse_collocation_matrix() {
        let a = collocation_a();
        // Known entries of Radau IIA(5) (Solving ODEs II, Table IV.5.6): a_33 = 1/9, b = row 3.
        assert!((a[2][2] - 1.0 / 9.0).abs() < 1e-14);
        assert!((a[2][0] - (16.0 - SQ6) / 36.0).abs() < 1e-14);
        // T⁻¹ A⁻¹ T = blocks  ⇔  A T Λ = T with Λ = [[γ,0,0],[0,α,−β],[0,β,α]].
        let lam = [[GAMMA, 0.0, 0.0], [0.0, ALPHA, -BETA], [0.0, BETA, ALPHA]];
        let lhs = mul(&mul(&a, &T), &lam);
        for i in 0..3 {
            for j in 0..3 {
                assert!((lhs[i][j] - T[i][j]).abs() < 1e-13, "{lhs:?}");
            }
        }
        // And γ, α, β from their closed forms (RADAU5's U1, ALPH, BETA).
        let (c81, c9) = (81f64.cbrt(), 9f64.cbrt());
        let u1 = (6.0 + c81 - c9) / 30.0;
        let (al, be) = ((12.0 - c81 + c9) / 60.0, (c81 + c9) * 3f64.sqrt() / 60.0);
        let cno = al * al + be * be;
        assert!((GAMMA - 1.0 / u1).abs() < 1e-14);
        assert!((ALPHA - al / cno).abs() < 1e-14 && (BETA - be / cno).abs() < 1e-14);
    }
}

//! Radau IIA with 3, 5 and 7 stages (orders 5, 9 and 13), in the form Hairer's RADAU integrates
//! them.
//!
//! Each is the collocation method whose nodes `c_1 < … < c_s = 1` are the zeros of
//! `d^{s−1}/dx^{s−1} [x^{s−1} (x − 1)^s]` (*Solving ODEs II*, IV.5). Its matrix `A` has, for odd
//! `s`, one real eigenvalue and `(s − 1)/2` complex pairs; with the eigenvector matrix `T`,
//!
//! ```text
//! T⁻¹ A⁻¹ T = diag(γ, [α_1 −β_1; β_1 α_1], …, [α_m −β_m; β_m α_m]),   m = (s − 1)/2,
//! ```
//!
//! so the `sN × sN` simplified Newton system splits into one real and `m` complex `N × N`
//! systems (IV.8; for any `s`: Hairer & Wanner, *Stiff differential equations solved by Radau
//! methods*, J. Comput. Appl. Math. 111 (1999) 93–111, Section 3). `T`'s last row is
//! `(T_s1, 1, 0, 1, 0, …)`, so `z_s = T_s1 w_1 + w_2 + w_4 + …`.
//!
//! The embedded error estimate (ibid., Section 4) has the form of the three-stage one
//! ([`super::radau_iia`]): `err = (I − γ0 h J)⁻¹ (γ0 h f(t, y) + γ0 Σ_k dd_k z_k)`, `γ0 = 1/γ`,
//! with the weights `dd = γ (b̂ − b)ᵀ A⁻¹` of the order-`s` formula `b̂` on the nodes
//! `0, c_1, …, c_s` with `b̂_0 = γ0`.
//!
//! The five- and seven-stage constants are the decimal values of Hairer's RADAU (`COERCV`,
//! `COERTV`, version of 2002); the three-stage ones are RADAU5's. The unit tests check, from the
//! nodes alone, that `T T⁻¹ = I`, that `T` block-diagonalises `A⁻¹` with the stated `γ, α, β`,
//! and that `dd` is the weight vector above.

// RADAU's 22-digit decimals are kept as published.
#![allow(clippy::excessive_precision)]

use super::radau_iia as r3;

/// The most stages of the family.
pub const MAX_STAGES: usize = 7;
/// The most complex pairs of eigenvalues.
pub const MAX_PAIRS: usize = (MAX_STAGES - 1) / 2;

/// One member of the family, padded to [`MAX_STAGES`] stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RadauStages {
    /// The number of stages `s` (3, 5 or 7); the order is `2s − 1`.
    pub s: usize,
    /// The nodes `c_1 … c_s` (`c_s = 1`).
    pub c: [f64; MAX_STAGES],
    /// The error-estimate weights `dd_1 … dd_s`.
    pub dd: [f64; MAX_STAGES],
    /// The real eigenvalue `γ` of `A⁻¹`.
    pub gamma: f64,
    /// Real parts `α_k` of the complex eigenvalues of `A⁻¹`.
    pub alpha: [f64; MAX_PAIRS],
    /// Imaginary parts `β_k`.
    pub beta: [f64; MAX_PAIRS],
    /// `T` (row-major), zero outside `s × s`.
    pub t: [[f64; MAX_STAGES]; MAX_STAGES],
    /// `T⁻¹` (row-major), zero outside `s × s`.
    pub ti: [[f64; MAX_STAGES]; MAX_STAGES],
    /// The nodes of the collocation polynomial's Newton form, `x_0 = 1`, `x_k = c_{s−k}`
    /// (`k = 1..s−1`), `x_s = 0` (the order in which RADAU's `CONT` holds the divided
    /// differences), derived from `c`.
    pub nodes: [f64; MAX_STAGES + 1],
    /// `recip_gaps[j][k] = 1/(x_k − x_{k−j})` for `1 ≤ j ≤ k ≤ s`: the factors of the divided
    /// differences, derived from `c` (RADAU multiplies by them rather than dividing).
    pub recip_gaps: [[f64; MAX_STAGES + 1]; MAX_STAGES + 1],
}

impl RadauStages {
    /// The member with `s` stages.
    ///
    /// # Panics
    /// If `s` is not 3, 5 or 7.
    pub const fn with_stages(s: usize) -> &'static RadauStages {
        match s {
            3 => &THREE,
            5 => &FIVE,
            7 => &SEVEN,
            _ => panic!("Radau IIA stages must be 3, 5 or 7"),
        }
    }

    /// The number of complex pairs, `(s − 1)/2`.
    pub const fn pairs(&self) -> usize {
        (self.s - 1) / 2
    }
}

/// The Newton-form nodes `(1, c_{s−1}, …, c_1, 0)` of the `s` nodes `c`.
const fn newton_nodes(c: &[f64; MAX_STAGES], s: usize) -> [f64; MAX_STAGES + 1] {
    let mut x = [0.0; MAX_STAGES + 1];
    x[0] = 1.0;
    let mut k = 1;
    while k < s {
        x[k] = c[s - k - 1];
        k += 1;
    }
    x
}

/// `1/(x_k − x_{k−j})` for `1 ≤ j ≤ k ≤ s`, zero elsewhere.
const fn recip_gaps(
    x: &[f64; MAX_STAGES + 1],
    s: usize,
) -> [[f64; MAX_STAGES + 1]; MAX_STAGES + 1] {
    let mut r = [[0.0; MAX_STAGES + 1]; MAX_STAGES + 1];
    let mut j = 1;
    while j <= s {
        let mut k = j;
        while k <= s {
            r[j][k] = 1.0 / (x[k] - x[k - j]);
            k += 1;
        }
        j += 1;
    }
    r
}

/// The Newton-form tables are derived from the nodes, never typed in.
const NOT_YET_DERIVED: (
    [f64; MAX_STAGES + 1],
    [[f64; MAX_STAGES + 1]; MAX_STAGES + 1],
) = (
    [0.0; MAX_STAGES + 1],
    [[0.0; MAX_STAGES + 1]; MAX_STAGES + 1],
);

impl RadauStages {
    /// `self` with `nodes` and `recip_gaps` computed from `c`.
    const fn derived(mut self) -> Self {
        self.nodes = newton_nodes(&self.c, self.s);
        self.recip_gaps = recip_gaps(&self.nodes, self.s);
        self
    }
}

const fn pad<const S: usize>(m: [[f64; S]; S]) -> [[f64; MAX_STAGES]; MAX_STAGES] {
    let mut out = [[0.0; MAX_STAGES]; MAX_STAGES];
    let mut i = 0;
    while i < S {
        let mut j = 0;
        while j < S {
            out[i][j] = m[i][j];
            j += 1;
        }
        i += 1;
    }
    out
}

const fn pad_vec<const S: usize, const M: usize>(v: [f64; S]) -> [f64; M] {
    let mut out = [0.0; M];
    let mut i = 0;
    while i < S {
        out[i] = v[i];
        i += 1;
    }
    out
}

/// Three stages, order 5: RADAU5's method.
pub const THREE: RadauStages = RadauStages {
    s: 3,
    c: pad_vec([r3::C1, r3::C2, 1.0]),
    dd: pad_vec([r3::DD1, r3::DD2, r3::DD3]),
    gamma: r3::GAMMA,
    alpha: pad_vec([r3::ALPHA]),
    beta: pad_vec([r3::BETA]),
    t: pad(r3::T),
    ti: pad(r3::TI),
    nodes: NOT_YET_DERIVED.0,
    recip_gaps: NOT_YET_DERIVED.1,
}
.derived();

/// Five stages, order 9.
pub const FIVE: RadauStages = RadauStages {
    s: 5,
    c: pad_vec([
        0.05710419611451768219312,
        0.27684301363812382768,
        0.5835904323689168200567,
        0.8602401356562194478479,
        1.0,
    ]),
    dd: pad_vec([
        -27.78093394406463730479,
        3.641478498049213152712,
        -1.252547721169118720491,
        0.5920031671845428725662,
        -0.2,
    ]),
    gamma: 6.286704751729276645173,
    alpha: pad_vec([3.655694325463572258243, 5.70095329867178941917]),
    beta: pad_vec([6.543736899360077294021, 3.210265600308549888425]),
    t: pad(T5),
    ti: pad(TI5),
    nodes: NOT_YET_DERIVED.0,
    recip_gaps: NOT_YET_DERIVED.1,
}
.derived();

/// Seven stages, order 13.
pub const SEVEN: RadauStages = RadauStages {
    s: 7,
    c: [
        0.02931642715978489197205,
        0.14807859966848429185,
        0.3369846902811542990971,
        0.5586715187715501320814,
        0.7692338620300545009169,
        0.9269456713197411148519,
        1.0,
    ],
    dd: [
        -54.37443689412861451458,
        7.000024004259186512041,
        -2.355661091987557192256,
        1.132289066106134386384,
        -0.6468913267673587118673,
        0.3875333853753523774248,
        -0.1428571428571428571429,
    ],
    gamma: 8.936832788405216337302,
    alpha: [
        4.378693561506806002523,
        7.141055219187640105775,
        8.511834825102945723051,
    ],
    beta: [
        10.16969328379501162732,
        6.623045922639275970621,
        3.281013624325058830036,
    ],
    t: T7,
    ti: TI7,
    nodes: NOT_YET_DERIVED.0,
    recip_gaps: NOT_YET_DERIVED.1,
}
.derived();

/// `T` of the five-stage method (row-major; last row `(T51, 1, 0, 1, 0)`).
pub const T5: [[f64; 5]; 5] = [
    [
        -0.01251758622050104589014,
        -0.01024204781790882707009,
        0.04767387729029572386318,
        -0.01147851525522951470794,
        -0.01401985889287541028108,
    ],
    [
        -0.001491670151895382429004,
        0.05017286451737105816299,
        -0.09433181918161143698066,
        -0.007668830749180162885157,
        0.02470857842651852681253,
    ],
    [
        -0.07298187638808714862266,
        -0.2305395340434179467214,
        0.1027030453801258997922,
        0.01939846399882895091122,
        0.08180035370375117083639,
    ],
    [
        -0.3800914400035681041264,
        0.3778939022488612495439,
        0.4667441303324943592896,
        0.4076011712801990666217,
        0.1996824278868025259365,
    ],
    [-0.9219789736812104884883, 1.0, 0.0, 1.0, 0.0],
];
/// `T⁻¹` of the five-stage method.
pub const TI5: [[f64; 5]; 5] = [
    [
        -30.04156772154440162771,
        -13.86510785627141316518,
        -3.480002774795185561828,
        1.032008797825263422771,
        -0.8043030450739899174753,
    ],
    [
        5.344186437834911598895,
        4.593615567759161004454,
        -3.036360323459424298646,
        1.05066019023145886386,
        -0.2727786118642962705386,
    ],
    [
        3.748059807439804860051,
        -3.984965736343884667252,
        -1.044415641608018792942,
        1.184098568137948487231,
        -0.4499177701567803688988,
    ],
    [
        -33.04188021351900000806,
        -17.37695347906356701945,
        -0.1721290632540055611515,
        -0.09916977798254264258817,
        0.5312281158383066671849,
    ],
    [
        -8.6114439798752919777,
        9.699991409528808231336,
        1.914728639696874284851,
        2.418692006084940026427,
        -1.047463487935337418694,
    ],
];
/// `T` of the seven-stage method (row-major; last row `(T71, 1, 0, 1, 0, 1, 0)`).
pub const T7: [[f64; 7]; 7] = [
    [
        -0.002153754627310526422828,
        0.02156755135132077338691,
        0.008783567925144144407326,
        -0.004055161452331023898198,
        0.004427232753268285479678,
        -0.001238646187952874056377,
        -0.002760617480543852499548,
    ],
    [
        0.001600025077880428526831,
        -0.03813164813441154669442,
        -0.02152556059400687552385,
        0.008415568276559589237177,
        -0.004031949570224549492304,
        -6.666635339396338181761e-5,
        0.003185474825166209848748,
    ],
    [
        -0.00405910730194768309165,
        0.05739650893938171539757,
        0.05885052920842679105612,
        -0.008560431061603432060177,
        -0.006923212665023908924141,
        -0.002352180982943338340535,
        4.169077725297562691409e-4,
    ],
    [
        -0.01575048807937684420346,
        -0.03821469359696835048464,
        -0.1657368112729438512412,
        -0.03737124230238445741907,
        0.008239007298507719404499,
        0.003115071152346175252726,
        0.02511660491343882192836,
    ],
    [
        -0.1129776610242208076086,
        -0.2491742124652636863308,
        0.2735633057986623212132,
        0.005366761379181770094279,
        0.1932111161012620144312,
        0.1017177324817151468081,
        0.09504502035604622821039,
    ],
    [
        -0.4583810431839315010281,
        0.5315846490836284292051,
        0.4863228366175728940567,
        0.5265742264584492629141,
        0.2755343949896258141929,
        0.5217519452747652852946,
        0.1280719446355438944141,
    ],
    [-0.8813915783538183763135, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0],
];
/// `T⁻¹` of the seven-stage method.
pub const TI7: [[f64; 7]; 7] = [
    [
        -258.1319263199822292761,
        -189.073763081398508952,
        -49.08731481793013119445,
        -4.110647469661428418112,
        -4.053447889315563304175,
        3.112755366607346076554,
        -1.646774913558444650169,
    ],
    [
        -3.007390169451292131731,
        -11.01586607876577132911,
        1.487799456131656281486,
        2.130388159559282459432,
        -1.816141086817565624822,
        1.134325587895161100083,
        -0.414699045943303531993,
    ],
    [
        -8.441963188321084681757,
        -0.6505252740575150028169,
        6.940670730369876478804,
        -3.205047525597898431565,
        1.071280943546478589783,
        -0.354850749121622187973,
        0.09198549132786554154409,
    ],
    [
        74.67833223502269977153,
        87.40858897990081640204,
        4.024158737379997877014,
        -3.714806315158364186639,
        -3.430093985982317350741,
        2.696604809765312378853,
        -0.9386927436075461933568,
    ],
    [
        58.35652885190657724237,
        -10.06877395780018096325,
        -30.36638884256667120811,
        -1.020020865184865985027,
        -0.1124175003784249621267,
        1.8906408310003776228,
        -0.9716486393831482282172,
    ],
    [
        -299.1862480282520966786,
        -243.0407453687447911819,
        -48.77710407803786921219,
        -2.03867190574193440528,
        1.673560239861084944268,
        -1.087374032057106164456,
        0.9019382492960993738427,
    ],
    [
        -93.07650289743530591157,
        23.88163105628114427703,
        39.2788807308138438271,
        14.38891568549108006988,
        -3.510438399399361221087,
        4.863284885566180701215,
        -2.2464827295912399164,
    ],
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Lu;

    /// `A` of the collocation method with nodes `c` (`s` of them), from the simplifying
    /// conditions `Σ_j a_ij c_j^{k} = c_i^{k+1}/(k+1)`, `k < s` (*Solving ODEs II*, IV.5).
    fn collocation_a(st: &RadauStages) -> [[f64; MAX_STAGES]; MAX_STAGES] {
        let s = st.s;
        // V[k][j] = c_j^k, padded with the identity so that one fixed-size LU serves every s.
        let mut v = [[0.0; MAX_STAGES]; MAX_STAGES];
        for (k, row) in v.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = if k < s && j < s {
                    st.c[j].powi(k as i32)
                } else if k == j {
                    1.0
                } else {
                    0.0
                };
            }
        }
        let lu = Lu::factor(v).unwrap();
        let mut a = [[0.0; MAX_STAGES]; MAX_STAGES];
        for i in 0..s {
            let mut w = [0.0; MAX_STAGES];
            for (k, x) in w.iter_mut().enumerate().take(s) {
                *x = st.c[i].powi(k as i32 + 1) / (k as f64 + 1.0);
            }
            lu.solve(&mut w);
            a[i] = w;
        }
        a
    }

    /// The block-diagonal `Λ = T⁻¹ A⁻¹ T` the constants claim.
    fn lambda(st: &RadauStages) -> [[f64; MAX_STAGES]; MAX_STAGES] {
        let mut l = [[0.0; MAX_STAGES]; MAX_STAGES];
        l[0][0] = st.gamma;
        for k in 0..st.pairs() {
            let (r, i) = (2 * k + 1, 2 * k + 2);
            l[r][r] = st.alpha[k];
            l[i][i] = st.alpha[k];
            l[r][i] = -st.beta[k];
            l[i][r] = st.beta[k];
        }
        l
    }

    fn mul(
        a: &[[f64; MAX_STAGES]; MAX_STAGES],
        b: &[[f64; MAX_STAGES]; MAX_STAGES],
    ) -> [[f64; MAX_STAGES]; MAX_STAGES] {
        let mut c = [[0.0; MAX_STAGES]; MAX_STAGES];
        for i in 0..MAX_STAGES {
            for j in 0..MAX_STAGES {
                for k in 0..MAX_STAGES {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        c
    }

    const ALL: [&RadauStages; 3] = [&THREE, &FIVE, &SEVEN];

    #[test]
    fn newton_form_tables_follow_the_nodes() {
        // x = (1, c_{s−1}, …, c_1, 0), and the reciprocal gaps are the divided-difference
        // factors over them: the s-th divided difference of x^s they give is 1.
        for st in ALL {
            let s = st.s;
            let x = &st.nodes;
            assert_eq!((x[0], x[s]), (1.0, 0.0), "s = {s}");
            for k in 1..s {
                assert_eq!(x[k], st.c[s - k - 1], "s = {s}, k = {k}");
                assert!(x[k] < x[k - 1], "s = {s}: nodes must decrease");
            }
            for j in 1..=s {
                for k in j..=s {
                    let g = st.recip_gaps[j][k] * (x[k] - x[k - j]);
                    assert!((g - 1.0).abs() < 1e-14, "s = {s}, j = {j}, k = {k}: {g}");
                }
            }
            // Divided differences of x^s with the tables: the s-th is 1.
            let mut d = [0.0; MAX_STAGES + 1];
            for k in 0..=s {
                d[k] = x[k].powi(s as i32);
            }
            for j in 1..=s {
                for k in (j..=s).rev() {
                    d[k] = (d[k] - d[k - 1]) * st.recip_gaps[j][k];
                }
            }
            assert!((d[s] - 1.0).abs() < 1e-9, "s = {s}: {}", d[s]);
        }
    }

    #[test]
    fn nodes_are_the_radau_points() {
        // The zeros of d^{s−1}/dx^{s−1}[x^{s−1}(x−1)^s]: the collocation method is then of
        // order 2s − 1, so its weights b (the last row of A) integrate x^k exactly for k ≤ 2s − 2.
        for st in ALL {
            let a = collocation_a(st);
            let b = a[st.s - 1];
            for k in 0..(2 * st.s - 1) {
                let q: f64 = (0..st.s).map(|j| b[j] * st.c[j].powi(k as i32)).sum();
                let want = 1.0 / (k as f64 + 1.0);
                assert!(
                    (q - want).abs() < 1e-13,
                    "s = {}, k = {k}: {q} vs {want}",
                    st.s
                );
            }
            assert_eq!(st.c[st.s - 1], 1.0);
        }
    }

    #[test]
    fn t_inverts_ti() {
        for st in ALL {
            let p = mul(&st.t, &st.ti);
            for i in 0..st.s {
                for j in 0..st.s {
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((p[i][j] - want).abs() < 1e-12, "s = {}: {p:?}", st.s);
                }
            }
        }
    }

    #[test]
    fn t_block_diagonalises_the_inverse_collocation_matrix() {
        // T⁻¹ A⁻¹ T = Λ  ⇔  A T Λ = T.
        for st in ALL {
            let a = collocation_a(st);
            let lhs = mul(&mul(&a, &st.t), &lambda(st));
            for i in 0..st.s {
                for j in 0..st.s {
                    assert!(
                        (lhs[i][j] - st.t[i][j]).abs() < 1e-12,
                        "s = {}, ({i}, {j}): {} vs {}",
                        st.s,
                        lhs[i][j],
                        st.t[i][j]
                    );
                }
            }
            // The last row of T, as the stepper's back-transformation assumes.
            let last = st.t[st.s - 1];
            for (j, x) in last.iter().enumerate().take(st.s).skip(1) {
                assert_eq!(*x, if j % 2 == 1 { 1.0 } else { 0.0 });
            }
        }
    }

    #[test]
    fn dd_are_the_embedded_weights() {
        // b̂ of order s on the nodes 0, c_1, …, c_s with b̂_0 = γ0 = 1/γ:
        // Σ_j b̂_j c_j^{q−1} = 1/q − γ0 [q = 1], q = 1..s; then dd = γ (b̂ − b)ᵀ A⁻¹,
        // i.e. ddᵀ A = γ (b̂ − b)ᵀ.
        for st in ALL {
            let s = st.s;
            let a = collocation_a(st);
            let g0 = 1.0 / st.gamma;
            let mut v = [[0.0; MAX_STAGES]; MAX_STAGES];
            let mut rhs = [0.0; MAX_STAGES];
            for q in 0..MAX_STAGES {
                if q < s {
                    for j in 0..s {
                        v[q][j] = st.c[j].powi(q as i32);
                    }
                    rhs[q] = 1.0 / (q as f64 + 1.0) - if q == 0 { g0 } else { 0.0 };
                } else {
                    v[q][q] = 1.0;
                }
            }
            Lu::factor(v).unwrap().solve(&mut rhs);
            for j in 0..s {
                let dd_a: f64 = (0..s).map(|i| st.dd[i] * a[i][j]).sum();
                let want = st.gamma * (rhs[j] - a[s - 1][j]);
                assert!(
                    (dd_a - want).abs() < 1e-10 * want.abs().max(1.0),
                    "s = {s}, j = {j}: {dd_a} vs {want}"
                );
            }
            assert!((st.dd[s - 1] + 1.0 / s as f64).abs() < 1e-15);
        }
    }
}

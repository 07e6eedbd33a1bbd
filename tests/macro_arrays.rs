//! `#[ode_system]` on models with many parameters: array parameters `k: [f64; M]` (fields of
//! the struct; `PARAMS` names them `k[0]`, …; `∂f/∂p` covers every element) and constant
//! arrays declared at module level, read with indices known at expansion time. Reference
//! values are the hand-derived partial derivatives.

use odegen::prelude::*;

/// A decay chain `A → B → C → ∅` with rates `k` and a common loss `d`.
#[ode_system]
fn decay_chain(_t: f64, y: [f64; 3], k: [f64; 3], d: f64) -> [f64; 3] {
    [
        -k[0] * y[0] - d * y[0],
        k[0] * y[0] - k[1] * y[1] - d * y[1],
        k[1] * y[1] - k[2] * y[2] - d * y[2],
    ]
}

/// The same chain written with a loop over the components.
#[ode_system]
fn looped_chain(_t: f64, y: [f64; 3], k: [f64; 3], d: f64) -> [f64; 3] {
    let mut dy = [0.0; 3];
    for i in 0..3 {
        dy[i] = -k[i] * y[i] - d * y[i];
    }
    for i in 1..3 {
        dy[i] += k[i - 1] * y[i - 1];
    }
    dy
}

const RATES: [f64; 3] = [0.5, 1.5, 2.5];
const COUPLING: [[f64; 2]; 2] = [[-1.0, 0.25], [0.5, -2.0]];

/// The chain with the rates of a module-level constant array, and a 2-D constant.
#[ode_system]
fn constant_chain(_t: f64, y: [f64; 3]) -> [f64; 3] {
    [
        -RATES[0] * y[0] + COUPLING[0][1] * y[2],
        RATES[0] * y[0] - RATES[1] * y[1],
        RATES[1] * y[1] - RATES[2] * y[2] + COUPLING[1][0] * y[0] * y[0],
    ]
}

type Jac = [[f64; 3]; 3];
type ParamJac = [[f64; 4]; 3];
/// Writes `∂f/∂y` and `∂f/∂p` at the test point.
type Derivatives<'a> = dyn Fn(&mut Jac, &mut ParamJac) + 'a;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-14 * (1.0 + b.abs())
}

#[test]
fn array_parameters_are_fields_named_by_element_and_differentiated_by_element() {
    let y = [2.0, 3.0, 5.0];
    for (k, d) in [
        ([1.0, 2.0, 3.0], 0.5),
        ([0.1, 10.0, 1e3], 0.0),
        ([7.0, 0.0, 2.0], 4.0),
    ] {
        let a = DecayChain { k, d };
        let b = LoopedChain::new(k, d);
        assert_eq!(DecayChain::PARAMS, ["k[0]", "k[1]", "k[2]", "d"]);
        assert_eq!(LoopedChain::PARAMS, DecayChain::PARAMS);
        assert_eq!(a.params(), [k[0], k[1], k[2], d]);
        assert_eq!(DecayChain::from_params(a.params()), a);
        let (mut fa, mut fb) = ([0.0; 3], [0.0; 3]);
        a.rhs(0.0, &y, &mut fa);
        b.rhs(0.0, &y, &mut fb);
        assert_eq!(fa, fb);
        // ∂f/∂y and ∂f/∂p by hand.
        let jac_exact = [
            [-k[0] - d, 0.0, 0.0],
            [k[0], -k[1] - d, 0.0],
            [0.0, k[1], -k[2] - d],
        ];
        let pjac_exact = [
            [-y[0], 0.0, 0.0, -y[0]],
            [y[0], -y[1], 0.0, -y[1]],
            [0.0, y[1], -y[2], -y[2]],
        ];
        let of_a = |j: &mut [[f64; 3]; 3], p: &mut [[f64; 4]; 3]| {
            a.jacobian(0.0, &y, j);
            a.param_jacobian(0.0, &y, p);
        };
        let of_b = |j: &mut [[f64; 3]; 3], p: &mut [[f64; 4]; 3]| {
            b.jacobian(0.0, &y, j);
            b.param_jacobian(0.0, &y, p);
        };
        let sources: [&Derivatives<'_>; 2] = [&of_a, &of_b];
        for source in sources {
            let (mut jac, mut pjac) = ([[0.0; 3]; 3], [[0.0; 4]; 3]);
            source(&mut jac, &mut pjac);
            for i in 0..3 {
                for j in 0..3 {
                    assert!(close(jac[i][j], jac_exact[i][j]), "{jac:?}");
                }
                for j in 0..4 {
                    assert!(close(pjac[i][j], pjac_exact[i][j]), "{pjac:?}");
                }
            }
        }
    }
}

#[test]
fn constant_arrays_are_read_by_index() {
    let y = [2.0, 3.0, 5.0];
    let mut f = [0.0; 3];
    ConstantChain.rhs(0.0, &y, &mut f);
    assert_eq!(
        f,
        [
            -0.5 * 2.0 + 0.25 * 5.0,
            0.5 * 2.0 - 1.5 * 3.0,
            1.5 * 3.0 - 2.5 * 5.0 + 0.5 * 4.0
        ]
    );
    let mut jac = [[0.0; 3]; 3];
    ConstantChain.jacobian(0.0, &y, &mut jac);
    assert_eq!(
        jac,
        [
            [-0.5, 0.0, 0.25],
            [0.5, -1.5, 0.0],
            [0.5 * 2.0 * 2.0, 1.5, -2.5]
        ]
    );
    // Rows: {0, 2}, {0, 1}, {0, 1, 2}.
    assert_eq!(ConstantChain::PATTERN.len(), 7);
}

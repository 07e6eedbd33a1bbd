//! Symbolic differentiation on the expression graph: forward mode, one rule per operation.
//!
//! `derivative(x, v)` builds the node `∂x/∂v` from the derivatives of `x`'s children by the
//! chain rule `∂f(a, b)/∂v = f_a · ∂a/∂v + f_b · ∂b/∂v`, where the partials `f_a`, `f_b` of
//! every elementary function are written once in [`Differentiator::rule`] (the table of rules,
//! as num-dual's `impl_derivatives.rs` keeps its own). Results are memoised per `(node,
//! variable)`, and a node that does not depend on `v` has derivative zero without being
//! visited, so the work is proportional to the non-zeros of the Jacobian's expression graph.
//! The partials reuse the primal nodes (`∂ sqrt(a) = ∂a / (2 sqrt(a))` shares `sqrt(a)`), which
//! the fused right-hand-side-and-Jacobian code then computes once.

use std::collections::HashMap;

use crate::ir::{Cmp, Fun1, Fun2, Graph, Id, Node, Var};

/// Memoised derivatives over one graph.
pub struct Differentiator {
    memo: HashMap<(Id, Var), Id>,
}

impl Differentiator {
    pub fn new() -> Self {
        Differentiator {
            memo: HashMap::new(),
        }
    }

    /// `∂x/∂v`.
    pub fn derivative(&mut self, g: &mut Graph, x: Id, v: Var) -> Id {
        if g.deps(x).binary_search(&v).is_err() {
            return g.num(0.0);
        }
        if let Some(&d) = self.memo.get(&(x, v)) {
            return d;
        }
        let d = self.rule(g, x, v);
        self.memo.insert((x, v), d);
        d
    }

    /// The chain rule for one node; its children's derivatives come from `derivative`.
    fn rule(&mut self, g: &mut Graph, x: Id, v: Var) -> Id {
        match g.node(x) {
            Node::Var(w) => g.num(if w == v { 1.0 } else { 0.0 }),
            Node::Const(_) | Node::Named(_) | Node::Bool(_) | Node::IntReal(_) => g.num(0.0),
            Node::Cmp(..) | Node::And(..) | Node::Or(..) | Node::Not(_) => g.num(0.0),
            Node::Add(a, b) => {
                let (da, db) = (self.derivative(g, a, v), self.derivative(g, b, v));
                g.add(da, db)
            }
            Node::Sub(a, b) => {
                let (da, db) = (self.derivative(g, a, v), self.derivative(g, b, v));
                g.sub(da, db)
            }
            Node::Mul(a, b) => {
                let (da, db) = (self.derivative(g, a, v), self.derivative(g, b, v));
                let l = g.mul(da, b);
                let r = g.mul(a, db);
                g.add(l, r)
            }
            Node::Div(a, b) => {
                // (a/b)' = (a' - (a/b)·b') / b: shares the quotient.
                let (da, db) = (self.derivative(g, a, v), self.derivative(g, b, v));
                let q_db = g.mul(x, db);
                let num = g.sub(da, q_db);
                g.div(num, b)
            }
            Node::Neg(a) => {
                let da = self.derivative(g, a, v);
                g.neg(da)
            }
            Node::Powi(a, n) => {
                // (a^n)' = n a^(n-1) a'
                let da = self.derivative(g, a, v);
                let pow = g.powi(a, n - 1);
                let n = g.num(f64::from(n));
                let partial = g.mul(n, pow);
                g.mul(partial, da)
            }
            Node::F1(f, a) => {
                let da = self.derivative(g, a, v);
                let partial = partial1(g, f, a, x);
                g.mul(partial, da)
            }
            Node::F2(f, a, b) => {
                let (da, db) = (self.derivative(g, a, v), self.derivative(g, b, v));
                self.rule2(g, f, a, b, x, da, db)
            }
            Node::MulAdd(a, b, c) => {
                // (a·b + c)' = a'·b + a·b' + c'
                let (da, db, dc) = (
                    self.derivative(g, a, v),
                    self.derivative(g, b, v),
                    self.derivative(g, c, v),
                );
                let l = g.mul(da, b);
                let r = g.mul(a, db);
                let s = g.add(l, r);
                g.add(s, dc)
            }
            Node::Select(c, a, b) => {
                // Each branch differentiated on its own; the condition picks one.
                let (da, db) = (self.derivative(g, a, v), self.derivative(g, b, v));
                g.select(c, da, db)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rule2(&mut self, g: &mut Graph, f: Fun2, a: Id, b: Id, x: Id, da: Id, db: Id) -> Id {
        match f {
            Fun2::Powf => {
                if let Some(e) = g.constant(b) {
                    // Constant exponent: e a^(e-1) a', valid for negative a too.
                    let em1 = g.num(e - 1.0);
                    let pow = g.f2(Fun2::Powf, a, em1);
                    let en = g.num(e);
                    let partial = g.mul(en, pow);
                    g.mul(partial, da)
                } else {
                    // (a^b)' = a^b (b' ln a + b a'/a)
                    let ln = g.f1(Fun1::Ln, a);
                    let l = g.mul(db, ln);
                    let ratio = g.div(da, a);
                    let r = g.mul(b, ratio);
                    let s = g.add(l, r);
                    g.mul(x, s)
                }
            }
            Fun2::Atan2 => {
                // atan2(a, b)' = (b a' - a b') / (a² + b²)
                let l = g.mul(b, da);
                let r = g.mul(a, db);
                let num = g.sub(l, r);
                let a2 = g.powi(a, 2);
                let b2 = g.powi(b, 2);
                let den = g.add(a2, b2);
                g.div(num, den)
            }
            Fun2::Hypot => {
                // hypot(a, b)' = (a a' + b b') / hypot(a, b)
                let l = g.mul(a, da);
                let r = g.mul(b, db);
                let num = g.add(l, r);
                g.div(num, x)
            }
            Fun2::Min => {
                let c = g.cmp(Cmp::Le, a, b);
                g.select(c, da, db)
            }
            Fun2::Max => {
                let c = g.cmp(Cmp::Ge, a, b);
                g.select(c, da, db)
            }
        }
    }
}

/// `f'(a)` for the one-argument functions; `x = f(a)` is the primal node, reused where the
/// derivative is a function of the value.
fn partial1(g: &mut Graph, f: Fun1, a: Id, x: Id) -> Id {
    match f {
        // 1 / (2 √a), as 0.5 / √a: one operation, the same rounding
        Fun1::Sqrt => {
            let half = g.num(0.5);
            g.div(half, x)
        }
        // 1 / (3 ∛a²)
        Fun1::Cbrt => {
            let x2 = g.powi(x, 2);
            let three = g.num(3.0);
            let den = g.mul(three, x2);
            g.f1(Fun1::Recip, den)
        }
        Fun1::Exp => x,
        // 2^a ln 2
        Fun1::Exp2 => {
            let ln2 = g.num(std::f64::consts::LN_2);
            g.mul(x, ln2)
        }
        // e^a
        Fun1::ExpM1 => g.f1(Fun1::Exp, a),
        Fun1::Ln => g.f1(Fun1::Recip, a),
        // 1 / (1 + a)
        Fun1::Ln1p => {
            let one = g.num(1.0);
            let den = g.add(one, a);
            g.f1(Fun1::Recip, den)
        }
        // 1 / (a ln 10)
        Fun1::Log10 => {
            let ln10 = g.num(std::f64::consts::LN_10);
            let den = g.mul(a, ln10);
            g.f1(Fun1::Recip, den)
        }
        // 1 / (a ln 2)
        Fun1::Log2 => {
            let ln2 = g.num(std::f64::consts::LN_2);
            let den = g.mul(a, ln2);
            g.f1(Fun1::Recip, den)
        }
        Fun1::Sin => g.f1(Fun1::Cos, a),
        Fun1::Cos => {
            let s = g.f1(Fun1::Sin, a);
            g.neg(s)
        }
        // 1 + tan² a
        Fun1::Tan => {
            let one = g.num(1.0);
            let x2 = g.powi(x, 2);
            g.add(one, x2)
        }
        // ±1 / √(1 - a²)
        Fun1::Asin | Fun1::Acos => {
            let one = g.num(1.0);
            let a2 = g.powi(a, 2);
            let d = g.sub(one, a2);
            let s = g.f1(Fun1::Sqrt, d);
            let r = g.f1(Fun1::Recip, s);
            if f == Fun1::Asin {
                r
            } else {
                g.neg(r)
            }
        }
        // 1 / (1 + a²)
        Fun1::Atan => {
            let one = g.num(1.0);
            let a2 = g.powi(a, 2);
            let d = g.add(one, a2);
            g.f1(Fun1::Recip, d)
        }
        Fun1::Sinh => g.f1(Fun1::Cosh, a),
        Fun1::Cosh => g.f1(Fun1::Sinh, a),
        // 1 - tanh² a
        Fun1::Tanh => {
            let one = g.num(1.0);
            let x2 = g.powi(x, 2);
            g.sub(one, x2)
        }
        // sign(a); at a = 0 the one-sided derivative +1, as num-dual takes it.
        Fun1::Abs => g.f1(Fun1::Signum, a),
        // -1 / a²
        Fun1::Recip => {
            let x2 = g.powi(x, 2);
            g.neg(x2)
        }
        Fun1::Signum => g.num(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates a real node numerically (a small interpreter for the tests).
    fn eval(g: &Graph, id: Id, vars: &dyn Fn(Var) -> f64) -> f64 {
        let e = |i| eval(g, i, vars);
        match g.node(id) {
            Node::Const(b) => f64::from_bits(b),
            Node::Var(v) => vars(v),
            Node::Add(a, b) => e(a) + e(b),
            Node::Sub(a, b) => e(a) - e(b),
            Node::Mul(a, b) => e(a) * e(b),
            Node::Div(a, b) => e(a) / e(b),
            Node::Neg(a) => -e(a),
            Node::Powi(a, n) => e(a).powi(n),
            Node::F1(Fun1::Sin, a) => e(a).sin(),
            Node::F1(Fun1::Cos, a) => e(a).cos(),
            Node::F1(Fun1::Recip, a) => 1.0 / e(a),
            Node::F1(Fun1::Sqrt, a) => e(a).sqrt(),
            Node::F1(Fun1::Ln, a) => e(a).ln(),
            Node::F2(Fun2::Powf, a, b) => e(a).powf(e(b)),
            other => panic!("not needed here: {other:?}"),
        }
    }

    #[test]
    fn product_quotient_and_chain_rules() {
        let mut g = Graph::new();
        let x = g.var(Var::State(0));
        let y = g.var(Var::State(1));
        // f = sin(x y) / sqrt(x) + x^y
        let xy = g.mul(x, y);
        let s = g.f1(Fun1::Sin, xy);
        let r = g.f1(Fun1::Sqrt, x);
        let q = g.div(s, r);
        let p = g.f2(Fun2::Powf, x, y);
        let f = g.add(q, p);
        let mut d = Differentiator::new();
        let dfdx = d.derivative(&mut g, f, Var::State(0));
        let dfdy = d.derivative(&mut g, f, Var::State(1));
        let (x0, y0) = (1.3_f64, 0.7_f64);
        let vars = |v: Var| if v == Var::State(0) { x0 } else { y0 };
        let exact_x = y0 * (x0 * y0).cos() / x0.sqrt() - 0.5 * (x0 * y0).sin() * x0.powf(-1.5)
            + y0 * x0.powf(y0 - 1.0);
        let exact_y = x0 * (x0 * y0).cos() / x0.sqrt() + x0.powf(y0) * x0.ln();
        assert!((eval(&g, dfdx, &vars) - exact_x).abs() < 1e-14);
        assert!((eval(&g, dfdy, &vars) - exact_y).abs() < 1e-14);
        // A variable f does not depend on has a structural zero.
        let dz = d.derivative(&mut g, f, Var::State(2));
        assert_eq!(g.constant(dz), Some(0.0));
    }
}

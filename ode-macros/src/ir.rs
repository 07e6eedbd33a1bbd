//! The expression model: a hash-consed directed acyclic graph of scalar operations.
//!
//! Every node is created through [`Graph`]'s constructors, which fold constants (only the
//! operations IEEE 754 rounds exactly, so the folded value is the one the target would
//! compute), drop the identities `x + 0`, `x · 1`, `x · 0`, `--x`, and return the existing node
//! for a structurally equal expression. Common subexpressions are therefore shared by
//! construction, and the node order is a topological order: children are created first.
//!
//! Each node carries the set of variables it depends on, which makes the sparsity pattern of
//! the Jacobian a union of these sets and lets differentiation skip zero derivatives.

// `Some(x) if x == 0.0` states an IEEE comparison (true for -0.0 too); a float literal
// pattern would read as a bit-pattern match.
#![allow(clippy::redundant_guards)]

use std::collections::HashMap;

/// A node's index in the graph.
pub type Id = u32;

/// The largest graph the macro builds; past it expansion stops with an error rather than
/// growing without bound (an unrolled loop of a million iterations, say).
pub const MAX_NODES: usize = 400_000;

/// An independent variable of the right-hand side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    Time,
    State(usize),
    Param(usize),
    /// The state component at a symbolic index of a rolled loop: `y[ints.gathers[k]]`.
    Gather(u32),
}

/// Elementary functions of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fun1 {
    Sqrt,
    Cbrt,
    Exp,
    Exp2,
    ExpM1,
    Ln,
    Ln1p,
    Log10,
    Log2,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Abs,
    Recip,
    Signum,
}

impl Fun1 {
    /// The `f64` method that computes it.
    pub fn method(self) -> &'static str {
        match self {
            Fun1::Sqrt => "sqrt",
            Fun1::Cbrt => "cbrt",
            Fun1::Exp => "exp",
            Fun1::Exp2 => "exp2",
            Fun1::ExpM1 => "exp_m1",
            Fun1::Ln => "ln",
            Fun1::Ln1p => "ln_1p",
            Fun1::Log10 => "log10",
            Fun1::Log2 => "log2",
            Fun1::Sin => "sin",
            Fun1::Cos => "cos",
            Fun1::Tan => "tan",
            Fun1::Asin => "asin",
            Fun1::Acos => "acos",
            Fun1::Atan => "atan",
            Fun1::Sinh => "sinh",
            Fun1::Cosh => "cosh",
            Fun1::Tanh => "tanh",
            Fun1::Abs => "abs",
            Fun1::Recip => "recip",
            Fun1::Signum => "signum",
        }
    }
}

/// Elementary functions of two arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fun2 {
    Powf,
    Atan2,
    Hypot,
    Min,
    Max,
}

impl Fun2 {
    pub fn method(self) -> &'static str {
        match self {
            Fun2::Powf => "powf",
            Fun2::Atan2 => "atan2",
            Fun2::Hypot => "hypot",
            Fun2::Min => "min",
            Fun2::Max => "max",
        }
    }
}

/// Comparison operators (their nodes are booleans).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    /// The comparison of two values known at expansion time.
    pub fn eval<T: PartialOrd>(self, x: &T, y: &T) -> bool {
        match self {
            Cmp::Lt => x < y,
            Cmp::Le => x <= y,
            Cmp::Gt => x > y,
            Cmp::Ge => x >= y,
            Cmp::Eq => x == y,
            Cmp::Ne => x != y,
        }
    }
}

/// One operation. Real-valued unless noted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    /// A constant, by its bit pattern (so that it can be hashed).
    Const(u64),
    Var(Var),
    /// A named constant of the user's crate (`G`, `consts::PI` behind a `use`, ...), emitted as
    /// the path it was written with; its derivative is zero.
    Named(u32),
    Add(Id, Id),
    Sub(Id, Id),
    Mul(Id, Id),
    Div(Id, Id),
    Neg(Id),
    Powi(Id, i32),
    F1(Fun1, Id),
    F2(Fun2, Id, Id),
    MulAdd(Id, Id, Id),
    /// Boolean: a comparison of two reals.
    Cmp(Cmp, Id, Id),
    /// Boolean constant.
    Bool(bool),
    /// Boolean connectives.
    And(Id, Id),
    Or(Id, Id),
    Not(Id),
    /// `if cond { a } else { b }` with a boolean `cond`.
    Select(Id, Id, Id),
    /// A symbolic integer of a rolled loop converted to a real (`i as f64`); its derivative
    /// is zero.
    IntReal(IntId),
}

/// A symbolic integer's index in [`Ints`].
pub type IntId = u32;

/// An integer expression of the indices of rolled loops, evaluated at run time by the
/// generated loop and, for every iteration, at expansion time (for the pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntNode {
    Const(i64),
    /// The index of the rolled loop at this nesting depth (1 for the outermost).
    Loop(u8),
    Add(IntId, IntId),
    Sub(IntId, IntId),
    Mul(IntId, IntId),
    Div(IntId, IntId),
    Rem(IntId, IntId),
}

/// The arithmetic of [`IntNode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// A comparison of two symbolic integers: a condition that decides a branch per iteration.
pub type CondId = u32;

/// The hash-consed symbolic integers, the comparisons between them, and the state reads at
/// symbolic indices.
#[derive(Default)]
pub struct Ints {
    nodes: Vec<IntNode>,
    /// The loop depths each node depends on, as a bit set.
    masks: Vec<u64>,
    table: HashMap<IntNode, IntId>,
    conds: Vec<(Cmp, IntId, IntId)>,
    cond_table: HashMap<(Cmp, IntId, IntId), CondId>,
    /// The index of each [`Var::Gather`].
    pub gathers: Vec<IntId>,
    /// Where each [`Var::Gather`] was first read, for errors.
    pub gather_spans: Vec<proc_macro2::Span>,
    gather_table: HashMap<IntId, u32>,
}

/// The deepest loop nesting a rolled body may have.
pub const MAX_LOOP_DEPTH: u8 = 8;

impl Ints {
    fn intern(&mut self, node: IntNode) -> IntId {
        if let Some(&id) = self.table.get(&node) {
            return id;
        }
        let mask = match node {
            IntNode::Const(_) => 0,
            IntNode::Loop(d) => 1u64 << d,
            IntNode::Add(a, b)
            | IntNode::Sub(a, b)
            | IntNode::Mul(a, b)
            | IntNode::Div(a, b)
            | IntNode::Rem(a, b) => self.masks[a as usize] | self.masks[b as usize],
        };
        let id = self.nodes.len() as IntId;
        self.nodes.push(node);
        self.masks.push(mask);
        self.table.insert(node, id);
        id
    }

    pub fn node(&self, id: IntId) -> IntNode {
        self.nodes[id as usize]
    }

    pub fn constant(&mut self, value: i64) -> IntId {
        self.intern(IntNode::Const(value))
    }

    pub fn loop_index(&mut self, depth: u8) -> IntId {
        self.intern(IntNode::Loop(depth))
    }

    pub fn as_const(&self, id: IntId) -> Option<i64> {
        match self.node(id) {
            IntNode::Const(v) => Some(v),
            _ => None,
        }
    }

    /// The loop depths `id` depends on (bit `d` for depth `d`).
    pub fn mask(&self, id: IntId) -> u64 {
        self.masks[id as usize]
    }

    /// `a op b`, folded where both are constants; `None` on overflow or division by zero.
    pub fn binary(&mut self, op: IntOp, a: IntId, b: IntId) -> Option<IntId> {
        if let (Some(x), Some(y)) = (self.as_const(a), self.as_const(b)) {
            return apply(op, x, y).map(|v| self.constant(v));
        }
        let (ca, cb) = (self.as_const(a), self.as_const(b));
        match op {
            IntOp::Add if ca == Some(0) => return Some(b),
            IntOp::Add | IntOp::Sub if cb == Some(0) => return Some(a),
            IntOp::Mul if ca == Some(1) => return Some(b),
            IntOp::Mul | IntOp::Div if cb == Some(1) => return Some(a),
            IntOp::Mul if ca == Some(0) || cb == Some(0) => return Some(self.constant(0)),
            IntOp::Div | IntOp::Rem if cb == Some(0) => return None,
            _ => {}
        }
        let (a, b) = match op {
            IntOp::Add | IntOp::Mul if a > b => (b, a),
            _ => (a, b),
        };
        Some(self.intern(match op {
            IntOp::Add => IntNode::Add(a, b),
            IntOp::Sub => IntNode::Sub(a, b),
            IntOp::Mul => IntNode::Mul(a, b),
            IntOp::Div => IntNode::Div(a, b),
            IntOp::Rem => IntNode::Rem(a, b),
        }))
    }

    /// The value for the loop indices `env` (`env[d]` for depth `d`); `None` on overflow or
    /// division by zero.
    pub fn eval(&self, id: IntId, env: &[i64]) -> Option<i64> {
        match self.node(id) {
            IntNode::Const(v) => Some(v),
            IntNode::Loop(d) => Some(env[d as usize]),
            IntNode::Add(a, b) => apply(IntOp::Add, self.eval(a, env)?, self.eval(b, env)?),
            IntNode::Sub(a, b) => apply(IntOp::Sub, self.eval(a, env)?, self.eval(b, env)?),
            IntNode::Mul(a, b) => apply(IntOp::Mul, self.eval(a, env)?, self.eval(b, env)?),
            IntNode::Div(a, b) => apply(IntOp::Div, self.eval(a, env)?, self.eval(b, env)?),
            IntNode::Rem(a, b) => apply(IntOp::Rem, self.eval(a, env)?, self.eval(b, env)?),
        }
    }

    /// The comparison `a op b` (hash-consed).
    pub fn cond(&mut self, op: Cmp, a: IntId, b: IntId) -> CondId {
        let key = (op, a, b);
        if let Some(&c) = self.cond_table.get(&key) {
            return c;
        }
        let c = self.conds.len() as CondId;
        self.conds.push(key);
        self.cond_table.insert(key, c);
        c
    }

    pub fn cond_mask(&self, c: CondId) -> u64 {
        let (_, a, b) = self.conds[c as usize];
        self.mask(a) | self.mask(b)
    }

    pub fn cond_eval(&self, c: CondId, env: &[i64]) -> Option<bool> {
        let (op, a, b) = self.conds[c as usize];
        Some(op.eval(&self.eval(a, env)?, &self.eval(b, env)?))
    }

    /// The [`Var::Gather`] index of the state read `y[index]` (first read at `span`).
    pub fn gather(&mut self, index: IntId, span: proc_macro2::Span) -> u32 {
        if let Some(&k) = self.gather_table.get(&index) {
            return k;
        }
        let k = self.gathers.len() as u32;
        self.gathers.push(index);
        self.gather_spans.push(span);
        self.gather_table.insert(index, k);
        k
    }
}

fn apply(op: IntOp, x: i64, y: i64) -> Option<i64> {
    match op {
        IntOp::Add => x.checked_add(y),
        IntOp::Sub => x.checked_sub(y),
        IntOp::Mul => x.checked_mul(y),
        IntOp::Div => x.checked_div(y),
        IntOp::Rem => x.checked_rem(y),
    }
}

/// The graph with its hash-consing table and per-node dependency sets.
pub struct Graph {
    nodes: Vec<Node>,
    table: HashMap<Node, Id>,
    /// Sorted variables each node depends on (through real-valued paths).
    deps: Vec<std::rc::Rc<[Var]>>,
    /// The token paths of [`Node::Named`] constants, as strings of tokens.
    pub named: Vec<proc_macro2::TokenStream>,
    /// The symbolic integers of rolled loops.
    pub ints: Ints,
    overflow: bool,
}

impl Default for Graph {
    fn default() -> Self {
        Self::new()
    }
}

impl Graph {
    pub fn new() -> Self {
        Graph {
            nodes: Vec::new(),
            table: HashMap::new(),
            deps: Vec::new(),
            named: Vec::new(),
            ints: Ints::default(),
            overflow: false,
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph reached [`MAX_NODES`]; later nodes are then not created.
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    pub fn node(&self, id: Id) -> Node {
        self.nodes[id as usize]
    }

    pub fn deps(&self, id: Id) -> &[Var] {
        &self.deps[id as usize]
    }

    pub fn constant(&self, id: Id) -> Option<f64> {
        match self.node(id) {
            Node::Const(bits) => Some(f64::from_bits(bits)),
            _ => None,
        }
    }

    fn is(&self, id: Id, value: f64) -> bool {
        self.constant(id) == Some(value)
    }

    fn intern(&mut self, node: Node) -> Id {
        if let Some(&id) = self.table.get(&node) {
            return id;
        }
        if self.nodes.len() >= MAX_NODES {
            // Keep expansion bounded: hand back a constant and let the caller report it.
            self.overflow = true;
            return 0;
        }
        let deps = self.compute_deps(node);
        let id = self.nodes.len() as Id;
        self.nodes.push(node);
        self.deps.push(deps);
        self.table.insert(node, id);
        id
    }

    fn compute_deps(&self, node: Node) -> std::rc::Rc<[Var]> {
        let union = |ids: &[Id]| -> std::rc::Rc<[Var]> {
            let mut all: Vec<Var> = ids
                .iter()
                .flat_map(|&i| self.deps[i as usize].iter().copied())
                .collect();
            all.sort_unstable();
            all.dedup();
            all.into()
        };
        match node {
            Node::Const(_) | Node::Named(_) | Node::Bool(_) | Node::IntReal(_) => {
                std::rc::Rc::from([])
            }
            Node::Var(v) => std::rc::Rc::from([v]),
            Node::Neg(a) | Node::Powi(a, _) | Node::F1(_, a) => self.deps[a as usize].clone(),
            Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) | Node::Div(a, b) => union(&[a, b]),
            Node::F2(_, a, b) => union(&[a, b]),
            Node::MulAdd(a, b, c) => union(&[a, b, c]),
            // A condition selects, it does not contribute a derivative.
            Node::Cmp(..) | Node::And(..) | Node::Or(..) | Node::Not(_) => std::rc::Rc::from([]),
            Node::Select(_, a, b) => union(&[a, b]),
        }
    }

    pub fn num(&mut self, value: f64) -> Id {
        self.intern(Node::Const(value.to_bits()))
    }

    pub fn var(&mut self, var: Var) -> Id {
        self.intern(Node::Var(var))
    }

    pub fn named(&mut self, path: proc_macro2::TokenStream) -> Id {
        let text = path.to_string();
        let index = match self.named.iter().position(|p| p.to_string() == text) {
            Some(i) => i,
            None => {
                self.named.push(path);
                self.named.len() - 1
            }
        };
        self.intern(Node::Named(index as u32))
    }

    /// `index as f64` for a symbolic integer.
    pub fn int_real(&mut self, index: IntId) -> Id {
        match self.ints.as_const(index) {
            Some(k) => self.num(k as f64),
            None => self.intern(Node::IntReal(index)),
        }
    }

    /// The state component `y[index]` at a symbolic index, read at `span`.
    pub fn gather(&mut self, index: IntId, span: proc_macro2::Span) -> Id {
        let k = self.ints.gather(index, span);
        self.var(Var::Gather(k))
    }

    pub fn boolean(&mut self, value: bool) -> Id {
        self.intern(Node::Bool(value))
    }

    pub fn bool_constant(&self, id: Id) -> Option<bool> {
        match self.node(id) {
            Node::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn add(&mut self, a: Id, b: Id) -> Id {
        match (self.constant(a), self.constant(b)) {
            (Some(x), Some(y)) => self.num(x + y),
            (Some(x), _) if x == 0.0 => b,
            (_, Some(y)) if y == 0.0 => a,
            _ => {
                if let Node::Neg(nb) = self.node(b) {
                    return self.sub(a, nb);
                }
                if let Node::Neg(na) = self.node(a) {
                    return self.sub(b, na);
                }
                // Addition commutes exactly: one canonical order shares `a + b` and `b + a`.
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                self.intern(Node::Add(a, b))
            }
        }
    }

    pub fn sub(&mut self, a: Id, b: Id) -> Id {
        match (self.constant(a), self.constant(b)) {
            (Some(x), Some(y)) => self.num(x - y),
            (Some(x), _) if x == 0.0 => self.neg(b),
            (_, Some(y)) if y == 0.0 => a,
            _ if a == b => self.num(0.0),
            _ => {
                if let Node::Neg(nb) = self.node(b) {
                    return self.add(a, nb);
                }
                self.intern(Node::Sub(a, b))
            }
        }
    }

    pub fn mul(&mut self, a: Id, b: Id) -> Id {
        match (self.constant(a), self.constant(b)) {
            (Some(x), Some(y)) => self.num(x * y),
            (Some(x), _) | (_, Some(x)) if x == 0.0 => self.num(0.0),
            (Some(x), _) if x == 1.0 => b,
            (_, Some(y)) if y == 1.0 => a,
            (Some(x), _) if x == -1.0 => self.neg(b),
            (_, Some(y)) if y == -1.0 => self.neg(a),
            _ => {
                // Pull signs out so `(-a)·b` and `a·(-b)` share `a·b`.
                if let Node::Neg(na) = self.node(a) {
                    let p = self.mul(na, b);
                    return self.neg(p);
                }
                if let Node::Neg(nb) = self.node(b) {
                    let p = self.mul(a, nb);
                    return self.neg(p);
                }
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                self.intern(Node::Mul(a, b))
            }
        }
    }

    pub fn div(&mut self, a: Id, b: Id) -> Id {
        match (self.constant(a), self.constant(b)) {
            (Some(x), Some(y)) => self.num(x / y),
            (Some(x), _) if x == 0.0 => self.num(0.0),
            (_, Some(y)) if y == 1.0 => a,
            (_, Some(y)) if y == -1.0 => self.neg(a),
            _ => self.intern(Node::Div(a, b)),
        }
    }

    pub fn neg(&mut self, a: Id) -> Id {
        if let Some(x) = self.constant(a) {
            return self.num(-x);
        }
        match self.node(a) {
            Node::Neg(inner) => inner,
            _ => self.intern(Node::Neg(a)),
        }
    }

    pub fn powi(&mut self, a: Id, n: i32) -> Id {
        match n {
            0 => self.num(1.0),
            1 => a,
            _ => match self.constant(a) {
                // Only squares are exactly rounded; other powers are left to the target.
                Some(x) if n == 2 => self.num(x * x),
                _ => self.intern(Node::Powi(a, n)),
            },
        }
    }

    pub fn f1(&mut self, f: Fun1, a: Id) -> Id {
        if let Some(x) = self.constant(a) {
            // sqrt, abs and signum are exact in IEEE 754; transcendental functions are left
            // to the target's library so that the generated code computes what the user's does.
            match f {
                Fun1::Sqrt => return self.num(x.sqrt()),
                Fun1::Abs => return self.num(x.abs()),
                Fun1::Signum => return self.num(x.signum()),
                Fun1::Recip => return self.num(1.0 / x),
                _ => {}
            }
        }
        self.intern(Node::F1(f, a))
    }

    pub fn f2(&mut self, f: Fun2, a: Id, b: Id) -> Id {
        if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
            match f {
                Fun2::Min => return self.num(x.min(y)),
                Fun2::Max => return self.num(x.max(y)),
                _ => {}
            }
        }
        if f == Fun2::Powf {
            if let Some(y) = self.constant(b) {
                if y == 1.0 {
                    return a;
                }
                if y == 0.0 {
                    return self.num(1.0);
                }
            }
        }
        if matches!(f, Fun2::Min | Fun2::Max) && a == b {
            return a;
        }
        self.intern(Node::F2(f, a, b))
    }

    pub fn mul_add(&mut self, a: Id, b: Id, c: Id) -> Id {
        if self.is(a, 0.0) || self.is(b, 0.0) {
            return c;
        }
        self.intern(Node::MulAdd(a, b, c))
    }

    pub fn cmp(&mut self, op: Cmp, a: Id, b: Id) -> Id {
        if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
            return self.boolean(op.eval(&x, &y));
        }
        self.intern(Node::Cmp(op, a, b))
    }

    pub fn and(&mut self, a: Id, b: Id) -> Id {
        match (self.bool_constant(a), self.bool_constant(b)) {
            (Some(false), _) | (_, Some(false)) => self.boolean(false),
            (Some(true), _) => b,
            (_, Some(true)) => a,
            _ => self.intern(Node::And(a, b)),
        }
    }

    pub fn or(&mut self, a: Id, b: Id) -> Id {
        match (self.bool_constant(a), self.bool_constant(b)) {
            (Some(true), _) | (_, Some(true)) => self.boolean(true),
            (Some(false), _) => b,
            (_, Some(false)) => a,
            _ => self.intern(Node::Or(a, b)),
        }
    }

    pub fn not(&mut self, a: Id) -> Id {
        match self.node(a) {
            Node::Bool(v) => self.boolean(!v),
            Node::Not(inner) => inner,
            _ => self.intern(Node::Not(a)),
        }
    }

    pub fn select(&mut self, cond: Id, a: Id, b: Id) -> Id {
        match self.bool_constant(cond) {
            Some(true) => a,
            Some(false) => b,
            None if a == b => a,
            None => self.intern(Node::Select(cond, a, b)),
        }
    }

    /// The children of a node, in evaluation order.
    pub fn children(&self, id: Id) -> Vec<Id> {
        match self.node(id) {
            Node::Const(_) | Node::Var(_) | Node::Named(_) | Node::Bool(_) | Node::IntReal(_) => {
                vec![]
            }
            Node::Neg(a) | Node::Powi(a, _) | Node::F1(_, a) | Node::Not(a) => vec![a],
            Node::Add(a, b)
            | Node::Sub(a, b)
            | Node::Mul(a, b)
            | Node::Div(a, b)
            | Node::F2(_, a, b)
            | Node::Cmp(_, a, b)
            | Node::And(a, b)
            | Node::Or(a, b) => vec![a, b],
            Node::MulAdd(a, b, c) | Node::Select(a, b, c) => vec![a, b, c],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structurally_equal_expressions_are_one_node() {
        let mut g = Graph::new();
        let x = g.var(Var::State(0));
        let y = g.var(Var::State(1));
        let a = g.mul(x, y);
        let b = g.mul(y, x);
        assert_eq!(a, b);
        let s1 = g.add(a, x);
        let s2 = g.add(x, b);
        assert_eq!(s1, s2);
    }

    #[test]
    fn identities_and_exact_constants_fold() {
        let mut g = Graph::new();
        let x = g.var(Var::State(0));
        let zero = g.num(0.0);
        let one = g.num(1.0);
        assert_eq!(g.add(x, zero), x);
        assert_eq!(g.mul(x, one), x);
        assert_eq!(g.mul(x, zero), zero);
        let nx = g.neg(x);
        assert_eq!(g.neg(nx), x);
        let two = g.num(2.0);
        let three = g.num(3.0);
        let six = g.mul(two, three);
        assert_eq!(g.constant(six), Some(6.0));
        // Transcendental functions of constants are left to the target.
        let s = g.f1(Fun1::Sin, two);
        assert_eq!(g.constant(s), None);
    }

    #[test]
    fn dependencies_are_the_union_and_conditions_do_not_count() {
        let mut g = Graph::new();
        let x = g.var(Var::State(0));
        let y = g.var(Var::State(2));
        let p = g.var(Var::Param(0));
        let c = g.cmp(Cmp::Lt, x, p);
        let s = g.select(c, y, p);
        assert_eq!(g.deps(s), &[Var::State(2), Var::Param(0)]);
    }
}

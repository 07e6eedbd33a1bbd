//! Lowering and checking: the function body becomes nodes of the expression [`Graph`].
//!
//! The body is evaluated symbolically, statement by statement, the way the function would run:
//! `let` bindings map names to values, `for` loops over literal ranges are unrolled with the
//! index bound to an integer, assignments to `let mut` locals (`=`, `+=`, `-=`, `*=`, `/=`,
//! also into local arrays) rebind the name to a new node (static single assignment at
//! expansion time), and `if`/`else` over a comparison becomes a selection between the values
//! each branch leaves behind. A condition known at expansion time (one on loop indices) picks
//! its branch outright. Everything else is an error at its own span naming the construct and
//! the way out; errors are collected and lowering goes on, so one expansion reports them all.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{BinOp, Block, Expr, Lit, Pat, Stmt, UnOp};

use crate::ir::{Cmp, CondId, Fun1, Fun2, Graph, Id, IntId, IntOp, Var, MAX_LOOP_DEPTH};
use crate::parse::{Signature, StateBinding};
use crate::rolled::{Effect, Item, Loop, RolledBody};

/// The way out every "cannot differentiate" error names.
pub const WAY_OUT: &str = "use `#[ode_system(jacobian = dual)]` (automatic differentiation \
     over a copy of the function) or `#[ode_system(jacobian = fd)]` (finite differences)";

/// The methods of `f64` the differentiator knows, for error messages.
pub const KNOWN_METHODS: &str = "powi, powf, sqrt, cbrt, exp, exp2, exp_m1, ln, ln_1p, log, \
     log10, log2, sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, tanh, abs, signum, min, \
     max, hypot, recip, mul_add, to_degrees, to_radians";

/// A value during symbolic evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// A real number: a graph node.
    Num(Id),
    /// An integer known at expansion time (literals, loop indices).
    Int(i64),
    /// A boolean: a graph node.
    Bool(Id),
    Arr(Vec<Val>),
    Unit,
    /// A symbolic integer of a rolled loop (an expression of its index).
    Idx(IntId),
    /// The output array once a rolled loop has written it at a loop index: it may only be
    /// written (`=`, `+=`, `-=`) and returned, not read.
    Sink,
    /// The result of an expression already reported as an error; silences follow-on errors.
    Poison,
}

#[derive(Debug, Clone, PartialEq)]
struct Binding {
    name: String,
    val: Val,
    mutable: bool,
    /// The state (or a component of it), which the body may read but not assign.
    state: bool,
}

/// How many loop iterations one expansion may unroll in total.
const MAX_UNROLL: usize = 1_000_000;

/// Lowers a body; the result is the output nodes, one per state component.
pub struct Lowerer<'g> {
    pub g: &'g mut Graph,
    scopes: Vec<Vec<Binding>>,
    pub errors: Vec<syn::Error>,
    unrolled: usize,
    aborted: bool,
    /// The state of a rolled lowering; `None` when loops are unrolled.
    roll: Option<Box<Roll>>,
}

/// How many runs (sub-ranges split at the changes of conditions on loop indices) one rolled
/// loop may have; past it the loop is unrolled (its conditions change too often for a loop).
const MAX_RUNS_PER_LOOP: usize = 16;

/// How many times the bodies of rolled loops may be lowered in all (each run once, again after
/// each split), bounding expansion time.
const MAX_ROLLED_LOWERINGS: usize = 512;

/// Loops with at most this many iterations that carry a local from one iteration to the next
/// (`s += …` into a name declared before the loop) are unrolled inside a rolled body.
const MAX_CARRIED_UNROLL: i64 = 64;

/// The state of a rolled lowering (see [`lower_rolled`]).
#[derive(Default)]
struct Roll {
    /// The nesting depth of the rolled loop being lowered (0 outside every rolled loop).
    depth: u8,
    /// For each rolled loop being lowered, the number of scopes outside its body: a binding
    /// in an outer scope is loop-invariant and may not be assigned in the loop.
    body_scope: Vec<usize>,
    /// The values of conditions on loop indices assumed over the runs being lowered.
    assume: Vec<(CondId, bool)>,
    /// A condition met without an assumption: the loop of its index splits at its changes.
    need_split: Option<CondId>,
    /// Why the body cannot stay rolled; lowering stops and starts over unrolled.
    fallback: Option<String>,
    /// The output array's binding `(scope, index)` once a loop wrote it at a loop index.
    sink: Option<(usize, usize)>,
    /// The output array's value when it became the sink.
    base: Vec<Val>,
    /// The effects and loops of the bodies being lowered, innermost last.
    items: Vec<Vec<Item>>,
    lowerings: usize,
}

/// A snapshot of the lowering state a rolled loop's run restores before it is lowered again.
struct Snapshot {
    scopes: Vec<Vec<Binding>>,
    sink: Option<(usize, usize)>,
    base: Vec<Val>,
    errors: usize,
}

/// Lowers the body of `item` with signature `sig`; `None` if an error was reported.
pub fn lower(
    g: &mut Graph,
    sig: &Signature,
    block: &Block,
    errors: &mut Vec<syn::Error>,
) -> Option<Vec<Id>> {
    let mut l = Lowerer::new(g, sig, false);
    let value = l.block_value(block);
    let outputs = l.outputs(value, block, sig.n);
    if l.g.overflowed() && !l.aborted {
        l.abort_error(block);
    }
    let ok = l.errors.is_empty();
    errors.append(&mut l.errors);
    if ok {
        outputs
    } else {
        None
    }
}

/// Lowers the body keeping its `for` loops rolled: each loop body is lowered once with its index
/// symbolic (a run per sub-range where the conditions on indices are constant), the output
/// array's writes recorded as effects at symbolic rows. `Err(reason)` when the body cannot stay
/// rolled (a value carried across iterations, the output read back, an error in the body, …):
/// the caller lowers it unrolled.
pub fn lower_rolled(g: &mut Graph, sig: &Signature, block: &Block) -> Result<RolledBody, String> {
    let mut l = Lowerer::new(g, sig, true);
    let value = l.block_value(block);
    let roll = l.roll.take().expect("a rolled lowering");
    if let Some(reason) = roll.fallback {
        return Err(reason);
    }
    if roll.need_split.is_some() {
        return Err("a condition on loop indices could not be resolved".into());
    }
    if l.g.overflowed() || l.aborted {
        return Err("the expression graph grew past its bound".into());
    }
    let tail_is_sink = value == Val::Sink;
    if !l.errors.is_empty() {
        // The unrolled lowering reports them, with the messages every body gets.
        return Err("the body has errors".into());
    }
    if roll.sink.is_none() {
        return Err("no loop writes the derivative at a loop index".into());
    }
    if !tail_is_sink {
        return Err("the body does not end in the array its loops write at loop indices".into());
    }
    if roll.base.len() != sig.n {
        return Err(format!(
            "the array the loops write has {} elements but the state has {}",
            roll.base.len(),
            sig.n
        ));
    }
    let mut base = Vec::with_capacity(sig.n);
    for v in roll.base {
        match v {
            Val::Num(id) => base.push(id),
            Val::Int(k) => base.push(l.g.num(k as f64)),
            _ => return Err("the output array's initial elements are not all numbers".into()),
        }
    }
    let mut items = roll.items;
    Ok(RolledBody {
        base,
        items: items.pop().unwrap_or_default(),
    })
}

impl<'g> Lowerer<'g> {
    fn new(g: &'g mut Graph, sig: &Signature, rolled: bool) -> Self {
        let mut l = Lowerer {
            g,
            scopes: vec![Vec::new()],
            errors: Vec::new(),
            unrolled: 0,
            aborted: false,
            roll: rolled.then(|| {
                Box::new(Roll {
                    items: vec![Vec::new()],
                    ..Roll::default()
                })
            }),
        };
        l.bind_signature(sig);
        l
    }

    fn bind_signature(&mut self, sig: &Signature) {
        let l = self;
        if let Some(t) = &sig.time {
            let id = l.g.var(Var::Time);
            l.bind(t.to_string(), Val::Num(id), false, false);
        }
        match &sig.state {
            StateBinding::Named(name) => {
                let comps = (0..sig.n)
                    .map(|i| Val::Num(l.g.var(Var::State(i))))
                    .collect();
                l.bind(name.to_string(), Val::Arr(comps), false, true);
            }
            StateBinding::Destructured(names) => {
                for (i, name) in names.iter().enumerate() {
                    if let Some(name) = name {
                        let id = l.g.var(Var::State(i));
                        l.bind(name.to_string(), Val::Num(id), false, true);
                    }
                }
            }
        }
        let mut k = 0;
        for (p, len) in sig.params.iter().zip(&sig.param_lens) {
            let val = match len {
                None => {
                    k += 1;
                    Val::Num(l.g.var(Var::Param(k - 1)))
                }
                Some(m) => {
                    let items = (k..k + m)
                        .map(|j| Val::Num(l.g.var(Var::Param(j))))
                        .collect();
                    k += m;
                    Val::Arr(items)
                }
            };
            let val = if sig.bad_params.contains(p) {
                Val::Poison
            } else {
                val
            };
            l.bind(p.to_string(), val, false, false);
        }
    }
}

/// `a[i][j]…`: the base `a` and the index expressions from the last written to the first
/// (`[j, i]` for `a[i][j]`).
fn index_chain(ix: &syn::ExprIndex) -> (&Expr, Vec<&Expr>) {
    let mut index_exprs = vec![&*ix.index];
    let mut e = &*ix.expr;
    while let Expr::Index(inner) = e {
        index_exprs.push(&inner.index);
        e = &inner.expr;
    }
    (e, index_exprs)
}

impl Lowerer<'_> {
    fn bind(&mut self, name: String, val: Val, mutable: bool, state: bool) {
        self.scopes.last_mut().expect("a scope").push(Binding {
            name,
            val,
            mutable,
            state,
        });
    }

    fn lookup(&self, name: &str) -> Option<(usize, usize)> {
        for (s, scope) in self.scopes.iter().enumerate().rev() {
            if let Some(b) = scope.iter().rposition(|b| b.name == name) {
                return Some((s, b));
            }
        }
        None
    }

    fn error(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) -> Val {
        if !self.aborted && !self.unwinding() {
            self.errors.push(syn::Error::new_spanned(tokens, message));
        }
        Val::Poison
    }

    fn abort_error(&mut self, at: impl ToTokens) {
        self.aborted = true;
        self.errors.push(syn::Error::new_spanned(
            at,
            format!(
                "the expression graph of this system grew past {} nodes (or {MAX_UNROLL} \
                 unrolled loop iterations); expansion stops here rather than take unbounded \
                 time. Use `#[ode_system(jacobian = fd)]` for a system this large",
                crate::ir::MAX_NODES
            ),
        ));
    }

    fn stop(&self) -> bool {
        self.aborted || self.g.overflowed() || self.unwinding()
    }

    /// Whether a rolled lowering is unwinding to a loop that splits or to a fallback.
    fn unwinding(&self) -> bool {
        self.roll
            .as_ref()
            .is_some_and(|r| r.need_split.is_some() || r.fallback.is_some())
    }

    /// Gives up the rolled lowering: the body is lowered unrolled instead.
    fn fallback(&mut self, reason: impl Into<String>) -> Val {
        if let Some(r) = &mut self.roll {
            if r.fallback.is_none() {
                r.fallback = Some(reason.into());
            }
        }
        Val::Poison
    }

    fn roll(&mut self) -> &mut Roll {
        self.roll.as_mut().expect("a rolled lowering")
    }

    fn snapshot(&self) -> Snapshot {
        let roll = self.roll.as_ref().expect("a rolled lowering");
        Snapshot {
            scopes: self.scopes.clone(),
            sink: roll.sink,
            base: roll.base.clone(),
            errors: self.errors.len(),
        }
    }

    fn restore(&mut self, snap: Snapshot) {
        self.scopes = snap.scopes;
        self.errors.truncate(snap.errors);
        let roll = self.roll();
        roll.sink = snap.sink;
        roll.base = snap.base;
    }

    /// An integer operand: a constant or a symbolic integer.
    fn int_id(&mut self, v: &Val) -> Option<IntId> {
        match *v {
            Val::Int(k) => Some(self.g.ints.constant(k)),
            Val::Idx(id) => Some(id),
            _ => None,
        }
    }

    /// Two integer operands of which at least one is symbolic, as symbolic integers.
    fn symbolic_pair(&mut self, l: &Val, r: &Val) -> Option<(IntId, IntId)> {
        match (l, r) {
            (Val::Idx(_), Val::Int(_) | Val::Idx(_)) | (Val::Int(_), Val::Idx(_)) => {
                Some((self.int_id(l)?, self.int_id(r)?))
            }
            _ => None,
        }
    }

    /// A symbolic integer as a value: an `Int` when it folded to a constant.
    fn idx_val(&self, id: IntId) -> Val {
        match self.g.ints.as_const(id) {
            Some(k) => Val::Int(k),
            None => Val::Idx(id),
        }
    }

    /// The comparison of two symbolic integers: its assumed value over the run being lowered,
    /// or a request that the loop of its index split where it changes.
    fn int_cond(&mut self, op: Cmp, a: IntId, b: IntId) -> Val {
        let c = self.g.ints.cond(op, a, b);
        let known = self
            .roll()
            .assume
            .iter()
            .rev()
            .find(|(k, _)| *k == c)
            .map(|&(_, v)| v);
        match known {
            Some(v) => Val::Bool(self.g.boolean(v)),
            None => {
                self.roll().need_split = Some(c);
                Val::Poison
            }
        }
    }

    /// In a rolled lowering, the row of `place` if it is an element of the output array (or
    /// of an array declared before the innermost rolled loop and written at a loop index,
    /// which then becomes the output array); `None` if it is not; `Some(None)` after an error.
    fn sink_row(&mut self, place: &Expr) -> Option<Option<IntId>> {
        self.roll.as_ref()?;
        let mut e = place;
        while let Expr::Paren(p) = e {
            e = &p.expr;
        }
        let Expr::Index(ix) = e else { return None };
        let Expr::Path(p) = &*ix.expr else {
            return None;
        };
        let ident = p.path.get_ident()?;
        let (s, b) = self.lookup(&ident.to_string())?;
        let is_sink = self.scopes[s][b].val == Val::Sink;
        let outer = {
            let roll = self.roll.as_ref().expect("a rolled lowering");
            roll.depth > 0 && roll.body_scope.last().is_some_and(|&o| s < o)
        };
        if !(is_sink || outer && matches!(self.scopes[s][b].val, Val::Arr(_))) {
            return None;
        }
        if !self.scopes[s][b].mutable || self.scopes[s][b].state {
            return None;
        }
        let index = self.expr(&ix.index);
        let row = match index {
            Val::Idx(id) => id,
            Val::Int(k) if is_sink => self.g.ints.constant(k),
            Val::Poison => return Some(None),
            Val::Int(_) => return None,
            _ => {
                self.fallback("the output array is indexed by something other than an integer");
                return Some(None);
            }
        };
        if !is_sink {
            let roll = self.roll();
            if roll.sink.is_some() {
                self.fallback("two arrays are written at loop indices");
                return Some(None);
            }
            let base = std::mem::replace(&mut self.scopes[s][b].val, Val::Sink);
            let roll = self.roll();
            roll.base = match base {
                Val::Arr(items) => items,
                _ => unreachable!("checked to be an array"),
            };
            roll.sink = Some((s, b));
        }
        Some(Some(row))
    }

    /// Records `output[row] = value` (`add`: `+=`) as an effect of the body being lowered.
    fn effect(&mut self, row: IntId, value: Val, add: bool, at: &Expr) {
        if self.stop() {
            return;
        }
        let Some(value) = self.as_num(value, at) else {
            return;
        };
        let span = syn::spanned::Spanned::span(at);
        self.roll()
            .items
            .last_mut()
            .expect("an item list")
            .push(Item::Effect(Effect {
                row,
                value,
                set: !add,
                span,
                terms: Vec::new(),
            }));
    }

    fn outputs(&mut self, value: Val, block: &Block, n: usize) -> Option<Vec<Id>> {
        let tail: TokenStream = match block.stmts.last() {
            Some(Stmt::Expr(e, None)) => e.to_token_stream(),
            _ => block.to_token_stream(),
        };
        match value {
            Val::Arr(items) if items.len() == n => {
                let mut ids = Vec::with_capacity(n);
                for item in items {
                    match item {
                        Val::Num(id) => ids.push(id),
                        Val::Int(k) => ids.push(self.g.num(k as f64)),
                        Val::Poison => return None,
                        _ => {
                            self.error(&tail, "every component of the result must be a number");
                            return None;
                        }
                    }
                }
                Some(ids)
            }
            Val::Arr(items) => {
                self.error(
                    &tail,
                    format!(
                        "the body returns {} values but the state has {n} components",
                        items.len()
                    ),
                );
                None
            }
            Val::Poison => None,
            _ => {
                self.error(
                    &tail,
                    format!("the body must end in the derivative: an array `[f64; {n}]`"),
                );
                None
            }
        }
    }

    /// Evaluates a block in a scope of its own; its value is the tail expression's.
    fn block_value(&mut self, block: &Block) -> Val {
        self.scopes.push(Vec::new());
        let mut value = Val::Unit;
        for (k, stmt) in block.stmts.iter().enumerate() {
            if self.stop() {
                break;
            }
            let last = k + 1 == block.stmts.len();
            match stmt {
                Stmt::Local(local) => {
                    if let Some(init) = &local.init {
                        if let Some((_, diverge)) = &init.diverge {
                            self.error(diverge, "`let ... else` is not supported");
                            continue;
                        }
                        let v = self.expr(&init.expr);
                        self.bind_pattern(&local.pat, v);
                    } else {
                        self.error(
                            local,
                            "a `let` needs a value here: bindings are evaluated in order",
                        );
                    }
                }
                Stmt::Expr(e, semi) => {
                    let v = self.expr(e);
                    // A reported `return` ends the body: no second error about its value.
                    if last && (semi.is_none() || matches!(e, Expr::Return(_))) {
                        value = v;
                    }
                }
                Stmt::Item(item) => {
                    self.error(
                        item,
                        format!("items cannot be declared inside an `#[ode_system]` body; move it out of the function, then {WAY_OUT}"),
                    );
                }
                Stmt::Macro(m) => {
                    self.error(
                        &m.mac,
                        format!(
                            "macro invocations cannot be differentiated symbolically; {WAY_OUT}"
                        ),
                    );
                }
            }
        }
        self.scopes.pop();
        value
    }

    fn bind_pattern(&mut self, pat: &Pat, v: Val) {
        if v == Val::Sink {
            self.fallback("the output array is bound to another name");
            return;
        }
        if v == Val::Poison {
            // The value is already reported; bind every name so that uses stay quiet.
            self.bind_poison(pat);
            return;
        }
        match pat {
            Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => {
                self.bind(p.ident.to_string(), v, p.mutability.is_some(), false)
            }
            Pat::Type(pt) => self.bind_pattern(&pt.pat, v),
            Pat::Wild(_) => {}
            Pat::Slice(s) => match v {
                Val::Arr(items) if items.len() == s.elems.len() => {
                    for (p, item) in s.elems.iter().zip(items) {
                        self.bind_pattern(p, item);
                    }
                }
                Val::Arr(items) => {
                    self.error(
                        s,
                        format!(
                            "the pattern names {} elements but the array has {}",
                            s.elems.len(),
                            items.len()
                        ),
                    );
                    self.bind_poison(pat);
                }
                Val::Poison => self.bind_poison(pat),
                _ => {
                    self.error(s, "only an array can be destructured here");
                    self.bind_poison(pat);
                }
            },
            other => {
                self.error(
                    other,
                    "this pattern is not supported: bind a name, `_` or an array `[a, b, ...]`",
                );
            }
        }
    }

    fn bind_poison(&mut self, pat: &Pat) {
        match pat {
            Pat::Ident(p) => self.bind(p.ident.to_string(), Val::Poison, true, false),
            Pat::Type(pt) => self.bind_poison(&pt.pat),
            Pat::Slice(s) => s.elems.iter().for_each(|p| self.bind_poison(p)),
            Pat::Tuple(t) => t.elems.iter().for_each(|p| self.bind_poison(p)),
            _ => {}
        }
    }

    /// A real number from a value, or `None` after reporting what it was.
    fn as_num(&mut self, v: Val, at: &Expr) -> Option<Id> {
        match v {
            Val::Num(id) => Some(id),
            Val::Int(k) => Some(self.g.num(k as f64)),
            Val::Idx(id) => Some(self.g.int_real(id)),
            Val::Sink => {
                self.fallback("the output array is read after a loop wrote it at a loop index");
                None
            }
            Val::Poison => None,
            Val::Bool(_) => {
                self.error(at, "expected a number, found a condition");
                None
            }
            Val::Arr(_) => {
                self.error(at, "expected a number, found an array");
                None
            }
            Val::Unit => {
                self.error(at, "expected a number, found `()`");
                None
            }
        }
    }

    fn as_bool(&mut self, v: Val, at: &Expr) -> Option<Id> {
        match v {
            Val::Bool(id) => Some(id),
            Val::Poison => None,
            _ => {
                self.error(at, "expected a condition (a comparison)");
                None
            }
        }
    }

    /// An integer known at expansion time, for indices, `powi` exponents and loop bounds.
    fn as_int(&mut self, e: &Expr, what: &str) -> Option<i64> {
        match self.expr(e) {
            Val::Int(k) => Some(k),
            Val::Poison => None,
            Val::Idx(_) => {
                self.fallback(format!("{what} depends on a loop index"));
                None
            }
            _ => {
                self.error(
                    e,
                    format!(
                        "{what} must be known at expansion time: an integer literal or an \
                         integer expression of loop indices (the macro cannot see the value of \
                         a named constant: write the number itself); otherwise {WAY_OUT}"
                    ),
                );
                None
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Val {
        if self.stop() {
            return Val::Poison;
        }
        match e {
            Expr::Lit(lit) => self.literal(&lit.lit),
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Path(p) => self.path(p),
            Expr::Unary(u) => self.unary(u),
            Expr::Binary(b) => self.binary(b),
            Expr::Index(ix) => {
                if let Some(v) = self.index_local(ix) {
                    return v;
                }
                if let Some(v) = self.index_constant(ix) {
                    return v;
                }
                let base = self.expr(&ix.expr);
                let Some(k) = self.as_int(&ix.index, "an index") else {
                    return Val::Poison;
                };
                self.index(base, k, e)
            }
            Expr::Array(arr) => Val::Arr(arr.elems.iter().map(|x| self.expr(x)).collect()),
            Expr::Repeat(r) => {
                let v = self.expr(&r.expr);
                match self.as_int(&r.len, "an array length") {
                    Some(n) if n >= 0 => {
                        // Counted like unrolled iterations, so `[0.0; 100_000_000]` stops.
                        self.unrolled = self.unrolled.saturating_add(n as usize);
                        if self.unrolled > MAX_UNROLL {
                            self.abort_error(r);
                            return Val::Poison;
                        }
                        Val::Arr(vec![v; n as usize])
                    }
                    Some(_) => self.error(&r.len, "an array length cannot be negative"),
                    None => Val::Poison,
                }
            }
            Expr::MethodCall(m) => self.method_call(m),
            Expr::Call(c) => self.call(c),
            Expr::Cast(c) => self.cast(c),
            Expr::If(i) => self.if_expr(i),
            Expr::Block(b) => {
                if b.label.is_some() {
                    return self.error(b, "labelled blocks are not supported");
                }
                self.block_value(&b.block)
            }
            Expr::Assign(a) => {
                let v = self.expr(&a.right);
                self.assign(&a.left, v);
                Val::Unit
            }
            Expr::ForLoop(f) => {
                self.for_loop(f);
                Val::Unit
            }
            Expr::Closure(c) => self.error(
                c,
                format!("closures cannot be differentiated symbolically; write the expression inline or {WAY_OUT}"),
            ),
            Expr::Match(m) => self.error(
                m.match_token,
                format!("`match` cannot be differentiated symbolically; write it as `if`/`else` over comparisons or {WAY_OUT}"),
            ),
            Expr::While(w) => self.error(
                w.while_token,
                format!("a `while` loop has a run-time bound and cannot be unrolled; use `for i in 0..N` with a literal N or {WAY_OUT}"),
            ),
            Expr::Loop(l) => self.error(
                l.loop_token,
                format!("a `loop` has a run-time bound and cannot be unrolled; use `for i in 0..N` with a literal N or {WAY_OUT}"),
            ),
            Expr::Return(r) => self.error(
                r,
                "`return` is not supported: end the body with the array of derivatives",
            ),
            Expr::Macro(m) => self.error(
                &m.mac,
                format!("macro invocations cannot be differentiated symbolically; {WAY_OUT}"),
            ),
            Expr::Field(f) => self.error(
                f,
                format!("field access cannot be differentiated symbolically; pass the value as a parameter or {WAY_OUT}"),
            ),
            Expr::Tuple(t) => self.error(t, "tuples are not supported; use arrays"),
            Expr::Reference(r) => self.error(r, "references are not supported in the body"),
            Expr::Unsafe(u) => self.error(u.unsafe_token, "`unsafe` blocks are not supported"),
            other => self.error(
                other,
                format!("this expression cannot be differentiated symbolically; {WAY_OUT}"),
            ),
        }
    }

    fn literal(&mut self, lit: &Lit) -> Val {
        match lit {
            Lit::Float(f) => match f.base10_parse::<f64>() {
                Ok(x) if matches!(f.suffix(), "" | "f64") => Val::Num(self.g.num(x)),
                Ok(_) => self.error(f, "only `f64` literals are supported"),
                Err(e) => self.error(f, e),
            },
            Lit::Int(i) => match i.suffix() {
                "f64" => match i.base10_parse::<f64>() {
                    Ok(x) => Val::Num(self.g.num(x)),
                    Err(e) => self.error(i, e),
                },
                _ => match i.base10_parse::<i64>() {
                    Ok(k) => Val::Int(k),
                    Err(e) => self.error(i, e),
                },
            },
            Lit::Bool(b) => Val::Bool(self.g.boolean(b.value)),
            other => self.error(other, "only number literals are supported"),
        }
    }

    fn path(&mut self, p: &syn::ExprPath) -> Val {
        if p.qself.is_none() {
            if let Some(ident) = p.path.get_ident() {
                if let Some((s, b)) = self.lookup(&ident.to_string()) {
                    return self.scopes[s][b].val.clone();
                }
            }
            let segments: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if let Some(value) = known_constant(&segments) {
                return Val::Num(self.g.num(value));
            }
            let last = segments.last().map(String::as_str).unwrap_or("");
            if last.chars().next().is_some_and(char::is_uppercase)
                && p.path.segments.iter().all(|s| s.arguments.is_none())
            {
                // A constant of the user's crate: emitted by name; its derivative is zero.
                return Val::Num(self.g.named(p.to_token_stream()));
            }
        }
        self.error(
            p,
            format!(
                "unknown name `{}`: the body may use the time, the state, the parameters, \
                 its own `let` bindings, `f64` constants and constants written in capitals",
                p.to_token_stream().to_string().replace(' ', "")
            ),
        )
    }

    fn unary(&mut self, u: &syn::ExprUnary) -> Val {
        let v = self.expr(&u.expr);
        match (&u.op, v) {
            (_, Val::Poison) => Val::Poison,
            (UnOp::Neg(_), Val::Int(k)) => Val::Int(-k),
            (UnOp::Neg(_), Val::Idx(id)) => {
                let zero = self.g.ints.constant(0);
                match self.g.ints.binary(IntOp::Sub, zero, id) {
                    Some(r) => self.idx_val(r),
                    None => self.fallback("integer overflow in an index"),
                }
            }
            (UnOp::Neg(_), v) => match self.as_num(v, &u.expr) {
                Some(id) => Val::Num(self.g.neg(id)),
                None => Val::Poison,
            },
            (UnOp::Not(_), v) => match self.as_bool(v, &u.expr) {
                Some(id) => Val::Bool(self.g.not(id)),
                None => Val::Poison,
            },
            (UnOp::Deref(_), _) => self.error(u, "dereferencing is not supported in the body"),
            (_, _) => self.error(u, "this operator is not supported"),
        }
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Val {
        use BinOp::*;
        match b.op {
            AddAssign(_) | SubAssign(_) | MulAssign(_) | DivAssign(_) => {
                if let Some(row) = self.sink_row(&b.left) {
                    if !matches!(b.op, AddAssign(_) | SubAssign(_)) {
                        return self.fallback("the output array is scaled in place (`*=`, `/=`)");
                    }
                    let rhs = self.expr(&b.right);
                    if let Some(row) = row {
                        let rhs = if matches!(b.op, SubAssign(_)) {
                            match self.as_num(rhs, &b.right) {
                                Some(x) => Val::Num(self.g.neg(x)),
                                None => Val::Poison,
                            }
                        } else {
                            rhs
                        };
                        self.effect(row, rhs, true, &b.right);
                    }
                    return Val::Unit;
                }
                let current = self.expr(&b.left);
                let rhs = self.expr(&b.right);
                let new = self.arith(&b.op, current, rhs, b);
                self.assign(&b.left, new);
                return Val::Unit;
            }
            RemAssign(_) | BitXorAssign(_) | BitAndAssign(_) | BitOrAssign(_) | ShlAssign(_)
            | ShrAssign(_) => {
                return self.error(b, "this compound assignment is not supported; the supported ones are `=`, `+=`, `-=`, `*=` and `/=`");
            }
            _ => {}
        }
        let l = self.expr(&b.left);
        let r = self.expr(&b.right);
        match b.op {
            Add(_) | Sub(_) | Mul(_) | Div(_) | Rem(_) => self.arith(&b.op, l, r, b),
            Lt(_) | Le(_) | Gt(_) | Ge(_) | Eq(_) | Ne(_) => {
                let op = match b.op {
                    Lt(_) => Cmp::Lt,
                    Le(_) => Cmp::Le,
                    Gt(_) => Cmp::Gt,
                    Ge(_) => Cmp::Ge,
                    Eq(_) => Cmp::Eq,
                    _ => Cmp::Ne,
                };
                if let (Val::Int(x), Val::Int(y)) = (&l, &r) {
                    return Val::Bool(self.g.boolean(op.eval(x, y)));
                }
                if let Some((x, y)) = self.symbolic_pair(&l, &r) {
                    return self.int_cond(op, x, y);
                }
                match (self.as_num(l, &b.left), self.as_num(r, &b.right)) {
                    (Some(x), Some(y)) => Val::Bool(self.g.cmp(op, x, y)),
                    _ => Val::Poison,
                }
            }
            And(_) | Or(_) => match (self.as_bool(l, &b.left), self.as_bool(r, &b.right)) {
                (Some(x), Some(y)) => Val::Bool(if matches!(b.op, And(_)) {
                    self.g.and(x, y)
                } else {
                    self.g.or(x, y)
                }),
                _ => Val::Poison,
            },
            _ => self.error(
                b.op,
                format!("operator `{}` is not supported", b.op.to_token_stream()),
            ),
        }
    }

    /// `+ - * / %` (also for the compound assignments).
    fn arith(&mut self, op: &BinOp, l: Val, r: Val, at: &syn::ExprBinary) -> Val {
        use BinOp::*;
        if let Some((x, y)) = self.symbolic_pair(&l, &r) {
            let iop = match op {
                Add(_) | AddAssign(_) => IntOp::Add,
                Sub(_) | SubAssign(_) => IntOp::Sub,
                Mul(_) | MulAssign(_) => IntOp::Mul,
                Div(_) | DivAssign(_) => IntOp::Div,
                _ => IntOp::Rem,
            };
            return match self.g.ints.binary(iop, x, y) {
                Some(id) => self.idx_val(id),
                None => self.fallback("integer overflow or division by zero in an index"),
            };
        }
        if let (Val::Int(x), Val::Int(y)) = (&l, &r) {
            let (x, y) = (*x, *y);
            let value = match op {
                Add(_) | AddAssign(_) => x.checked_add(y),
                Sub(_) | SubAssign(_) => x.checked_sub(y),
                Mul(_) | MulAssign(_) => x.checked_mul(y),
                Div(_) | DivAssign(_) => x.checked_div(y),
                Rem(_) => x.checked_rem(y),
                _ => None,
            };
            return match value {
                Some(v) => Val::Int(v),
                None => self.error(at, "integer overflow or division by zero at expansion time"),
            };
        }
        if matches!(op, Rem(_)) {
            if matches!((&l, &r), (Val::Poison, _) | (_, Val::Poison)) {
                return Val::Poison;
            }
            return self.error(
                at.op,
                format!("`%` (remainder) of real values cannot be differentiated symbolically (it is discontinuous); `%` is only supported between loop indices and integer literals. Otherwise {WAY_OUT}"),
            );
        }
        let (x, y) = match (self.as_num(l, &at.left), self.as_num(r, &at.right)) {
            (Some(x), Some(y)) => (x, y),
            _ => return Val::Poison,
        };
        Val::Num(match op {
            Add(_) | AddAssign(_) => self.g.add(x, y),
            Sub(_) | SubAssign(_) => self.g.sub(x, y),
            Mul(_) | MulAssign(_) => self.g.mul(x, y),
            _ => self.g.div(x, y),
        })
    }

    /// `a[i][j]` on a local array, read in place: copying the whole array for every element
    /// read would make lowering quadratic in the array's length. `None` if the base is not a
    /// local name.
    fn index_local(&mut self, ix: &syn::ExprIndex) -> Option<Val> {
        let (e, mut index_exprs) = index_chain(ix);
        let Expr::Path(p) = e else { return None };
        let ident = p.path.get_ident()?;
        let (s, b) = self.lookup(&ident.to_string())?;
        index_exprs.reverse();
        if self.roll.is_some() {
            if self.scopes[s][b].val == Val::Sink {
                return Some(self.fallback(format!(
                    "the output array `{ident}` is read after a loop wrote it at a loop index"
                )));
            }
            if let [ie] = index_exprs[..] {
                let v = self.expr(ie);
                if let Val::Idx(id) = v {
                    let binding = &self.scopes[s][b];
                    return Some(if binding.state {
                        Val::Num(self.g.gather(id, syn::spanned::Spanned::span(ix)))
                    } else {
                        self.fallback(format!(
                            "the local array `{ident}` is indexed by a loop index"
                        ))
                    });
                }
            }
        }
        let mut ks = Vec::with_capacity(index_exprs.len());
        for ie in index_exprs {
            match self.as_int(ie, "an index") {
                Some(k) => ks.push(k),
                None => return Some(Val::Poison),
            }
        }
        let found: Result<Val, String> = (|| {
            let mut cur = &self.scopes[s][b].val;
            for &k in &ks {
                cur = match cur {
                    Val::Arr(items) => usize::try_from(k)
                        .ok()
                        .and_then(|k| items.get(k))
                        .ok_or_else(|| {
                            format!(
                                "index {k} is out of bounds for an array of length {}",
                                items.len()
                            )
                        })?,
                    Val::Poison => return Ok(Val::Poison),
                    _ => return Err("only arrays can be indexed".to_string()),
                };
            }
            Ok(cur.clone())
        })();
        Some(found.unwrap_or_else(|msg| self.error(ix, msg)))
    }

    /// `K[i]`, `K[i][j]` on a constant array of the user's crate (a path written in
    /// capitals, such as `const K: [f64; 20] = ...` at module level), with indices known at
    /// expansion time: one named value, emitted as written with the indices folded; its
    /// derivative is zero. `None` if the base is not such a path.
    fn index_constant(&mut self, ix: &syn::ExprIndex) -> Option<Val> {
        let (e, mut index_exprs) = index_chain(ix);
        let Expr::Path(p) = e else { return None };
        if p.qself.is_some() || p.path.segments.iter().any(|s| !s.arguments.is_none()) {
            return None;
        }
        let last = p.path.segments.last()?.ident.to_string();
        if !last.chars().next().is_some_and(char::is_uppercase) {
            return None;
        }
        if let Some(ident) = p.path.get_ident() {
            if self.lookup(&ident.to_string()).is_some() {
                return None;
            }
        }
        index_exprs.reverse();
        let mut tokens = p.to_token_stream();
        for ie in index_exprs {
            let Some(k) = self.as_int(ie, "an index of a constant array") else {
                return Some(Val::Poison);
            };
            let Ok(k) = usize::try_from(k) else {
                return Some(self.error(ie, format!("index {k} of a constant array is negative")));
            };
            let k = proc_macro2::Literal::usize_unsuffixed(k);
            tokens = quote::quote!(#tokens[#k]);
        }
        Some(Val::Num(self.g.named(tokens)))
    }

    fn index(&mut self, base: Val, k: i64, at: &Expr) -> Val {
        match base {
            Val::Arr(items) => {
                if k < 0 || k as usize >= items.len() {
                    return self.error(
                        at,
                        format!(
                            "index {k} is out of bounds for an array of length {}",
                            items.len()
                        ),
                    );
                }
                items[k as usize].clone()
            }
            Val::Poison => Val::Poison,
            _ => self.error(at, "only arrays can be indexed"),
        }
    }

    fn cast(&mut self, c: &syn::ExprCast) -> Val {
        let v = self.expr(&c.expr);
        let target = c.ty.to_token_stream().to_string();
        match (target.as_str(), v) {
            (_, Val::Poison) => Val::Poison,
            ("f64", Val::Int(k)) => Val::Num(self.g.num(k as f64)),
            ("f64", Val::Num(id)) => Val::Num(id),
            ("f64", Val::Idx(id)) => Val::Num(self.g.int_real(id)),
            ("usize" | "isize" | "i32" | "i64" | "u32" | "u64", Val::Idx(id)) => Val::Idx(id),
            ("usize" | "isize" | "i32" | "i64" | "u32" | "u64", Val::Int(k)) => Val::Int(k),
            (_, Val::Num(_)) => self.error(
                c,
                format!("a real value cannot be converted to an integer at expansion time (indices, loop bounds and `powi` exponents must be integer literals or expressions of loop indices); {WAY_OUT}"),
            ),
            _ => self.error(
                &c.ty,
                "unsupported cast: only `as f64` and integer casts of indices",
            ),
        }
    }

    fn method_call(&mut self, m: &syn::ExprMethodCall) -> Val {
        if let Some(turbofish) = &m.turbofish {
            return self.error(turbofish, "type arguments are not supported here");
        }
        let name = m.method.to_string();
        let receiver = self.expr(&m.receiver);
        let args: Vec<&Expr> = m.args.iter().collect();
        self.apply(&name, &m.method, receiver, &m.receiver, &args, m)
    }

    fn call(&mut self, c: &syn::ExprCall) -> Val {
        // `f64::sin(x)`, `f64::max(a, b)`: the method table with the receiver first.
        if let Expr::Path(p) = &*c.func {
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if segs.len() == 2 && segs[0] == "f64" && !c.args.is_empty() {
                let method = &p.path.segments[1].ident;
                let args: Vec<&Expr> = c.args.iter().collect();
                let receiver = self.expr(args[0]);
                return self.apply(&segs[1], method, receiver, args[0], &args[1..], c);
            }
        }
        if let Expr::Path(p) = &*c.func {
            if let Some(ident) = p.path.get_ident() {
                if let Some((s, b)) = self.lookup(&ident.to_string()) {
                    // A local already reported (a closure, say): nothing more to say.
                    if self.scopes[s][b].val == Val::Poison {
                        return Val::Poison;
                    }
                    return self.error(&c.func, format!("`{ident}` is a value, not a function"));
                }
            }
        }
        let name = c.func.to_token_stream().to_string().replace(' ', "");
        self.error(
            &c.func,
            format!("call to `{name}` cannot be differentiated symbolically; use `#[ode_system(jacobian = dual)]` (automatic differentiation over a copy of the function; `{name}` must then accept `Dual64`, e.g. be generic over `num_dual::DualNum<f64>`) or `#[ode_system(jacobian = fd)]` (finite differences)"),
        )
    }

    /// A method of `f64` applied to `receiver` and `args`.
    fn apply(
        &mut self,
        name: &str,
        method: &syn::Ident,
        receiver: Val,
        receiver_expr: &Expr,
        args: &[&Expr],
        whole: &dyn ToTokens,
    ) -> Val {
        let expected = match name {
            "powi" | "powf" | "atan2" | "hypot" | "min" | "max" | "log" => 1,
            "mul_add" => 2,
            _ => 0,
        };
        let fun1 = match name {
            "sqrt" => Some(Fun1::Sqrt),
            "cbrt" => Some(Fun1::Cbrt),
            "exp" => Some(Fun1::Exp),
            "exp2" => Some(Fun1::Exp2),
            "exp_m1" => Some(Fun1::ExpM1),
            "ln" => Some(Fun1::Ln),
            "ln_1p" => Some(Fun1::Ln1p),
            "log10" => Some(Fun1::Log10),
            "log2" => Some(Fun1::Log2),
            "sin" => Some(Fun1::Sin),
            "cos" => Some(Fun1::Cos),
            "tan" => Some(Fun1::Tan),
            "asin" => Some(Fun1::Asin),
            "acos" => Some(Fun1::Acos),
            "atan" => Some(Fun1::Atan),
            "sinh" => Some(Fun1::Sinh),
            "cosh" => Some(Fun1::Cosh),
            "tanh" => Some(Fun1::Tanh),
            "abs" => Some(Fun1::Abs),
            "recip" => Some(Fun1::Recip),
            "signum" => Some(Fun1::Signum),
            _ => None,
        };
        let known = fun1.is_some()
            || matches!(
                name,
                "powi"
                    | "powf"
                    | "atan2"
                    | "hypot"
                    | "min"
                    | "max"
                    | "log"
                    | "mul_add"
                    | "to_degrees"
                    | "to_radians"
            );
        if !known {
            let hint = match name {
                "sin_cos" => "; write `x.sin()` and `x.cos()`: the shared work is found anyway",
                _ => "",
            };
            return self.error(
                method,
                format!("method `{name}` cannot be differentiated symbolically (the known ones are {KNOWN_METHODS}){hint}; otherwise {WAY_OUT}"),
            );
        }
        if args.len() != expected {
            return self.error(
                whole,
                format!("`{name}` takes {expected} argument(s) besides the receiver"),
            );
        }
        if name == "powi" {
            let n = self.as_int(args[0], "the exponent of `powi`");
            let x = self.as_num(receiver, receiver_expr);
            return match (x, n) {
                (Some(x), Some(n)) => match i32::try_from(n) {
                    Ok(n) => Val::Num(self.g.powi(x, n)),
                    Err(_) => self.error(args[0], "the exponent of `powi` does not fit in `i32`"),
                },
                _ => Val::Poison,
            };
        }
        let x = self.as_num(receiver, receiver_expr);
        let mut rest = Vec::new();
        for a in args {
            let v = self.expr(a);
            rest.push(self.as_num(v, a));
        }
        let Some(x) = x else { return Val::Poison };
        let Some(rest) = rest.into_iter().collect::<Option<Vec<Id>>>() else {
            return Val::Poison;
        };
        let g = &mut *self.g;
        Val::Num(match (fun1, name) {
            (Some(f), _) => g.f1(f, x),
            (None, "powf") => g.f2(Fun2::Powf, x, rest[0]),
            (None, "atan2") => g.f2(Fun2::Atan2, x, rest[0]),
            (None, "hypot") => g.f2(Fun2::Hypot, x, rest[0]),
            (None, "min") => g.f2(Fun2::Min, x, rest[0]),
            (None, "max") => g.f2(Fun2::Max, x, rest[0]),
            (None, "mul_add") => g.mul_add(x, rest[0], rest[1]),
            (None, "log") => {
                let num = g.f1(Fun1::Ln, x);
                let den = g.f1(Fun1::Ln, rest[0]);
                g.div(num, den)
            }
            (None, "to_degrees") => {
                let c = g.num(180.0 / std::f64::consts::PI);
                g.mul(x, c)
            }
            _ => {
                let c = g.num(std::f64::consts::PI / 180.0);
                g.mul(x, c)
            }
        })
    }

    fn if_expr(&mut self, i: &syn::ExprIf) -> Val {
        if let Expr::Let(l) = &*i.cond {
            return self.error(l, "`if let` is not supported; compare numbers instead");
        }
        let cond = self.expr(&i.cond);
        let Some(cond) = self.as_bool(cond, &i.cond) else {
            return Val::Poison;
        };
        if let Some(known) = self.g.bool_constant(cond) {
            // A condition on loop indices: only the branch taken exists.
            return if known {
                self.block_value(&i.then_branch)
            } else if let Some((_, e)) = &i.else_branch {
                self.expr(e)
            } else {
                Val::Unit
            };
        }
        let before = self.scopes.clone();
        let effects_before = self
            .roll
            .as_ref()
            .map(|r| (r.items.last().map_or(0, Vec::len), r.sink));
        let a = self.block_value(&i.then_branch);
        let after_then = std::mem::replace(&mut self.scopes, before);
        let b = match &i.else_branch {
            Some((_, e)) => self.expr(e),
            None => Val::Unit,
        };
        if let Some(before) = effects_before {
            let r = self.roll.as_ref().expect("a rolled lowering");
            if (r.items.last().map_or(0, Vec::len), r.sink) != before {
                return self.fallback(
                    "the output array is written under a condition on the state or the time",
                );
            }
        }
        // Every local either branch assigned now holds the selection of the two.
        let after_else = std::mem::take(&mut self.scopes);
        let mut merged = after_else.clone();
        for (s, scope) in after_then.iter().enumerate() {
            for (k, binding) in scope.iter().enumerate() {
                let other = &after_else[s][k];
                if binding.val != other.val {
                    let v = self.select(cond, binding.val.clone(), other.val.clone(), i);
                    merged[s][k].val = v;
                }
            }
        }
        self.scopes = merged;
        self.select(cond, a, b, i)
    }

    fn select(&mut self, cond: Id, a: Val, b: Val, at: &syn::ExprIf) -> Val {
        match (a, b) {
            (Val::Poison, _) | (_, Val::Poison) => Val::Poison,
            (Val::Unit, Val::Unit) => Val::Unit,
            (Val::Arr(x), Val::Arr(y)) if x.len() == y.len() => Val::Arr(
                x.into_iter()
                    .zip(y)
                    .map(|(p, q)| self.select(cond, p, q, at))
                    .collect(),
            ),
            (Val::Bool(x), Val::Bool(y)) => Val::Bool(self.g.select(cond, x, y)),
            (Val::Int(x), Val::Int(y)) if x == y => Val::Int(x),
            (Val::Idx(x), Val::Idx(y)) if x == y => Val::Idx(x),
            (Val::Sink, Val::Sink) => Val::Sink,
            (Val::Idx(_), _) | (_, Val::Idx(_)) | (Val::Sink, _) | (_, Val::Sink) => {
                self.fallback("an index or the output array is chosen by a condition on the state")
            }
            (a @ (Val::Num(_) | Val::Int(_)), b @ (Val::Num(_) | Val::Int(_))) => {
                let x = match a {
                    Val::Num(id) => id,
                    Val::Int(k) => self.g.num(k as f64),
                    _ => unreachable!("matched above"),
                };
                let y = match b {
                    Val::Num(id) => id,
                    Val::Int(k) => self.g.num(k as f64),
                    _ => unreachable!("matched above"),
                };
                Val::Num(self.g.select(cond, x, y))
            }
            _ => self.error(
                at.if_token,
                "the branches of this `if` give values of different kinds (a value in one, none in the other?)",
            ),
        }
    }

    fn for_loop(&mut self, f: &syn::ExprForLoop) {
        if f.label.is_some() {
            self.error(f, "labelled loops are not supported");
            return;
        }
        let var = match &*f.pat {
            Pat::Ident(p) if p.mutability.is_none() => Some(p.ident.to_string()),
            Pat::Wild(_) => None,
            other => {
                self.error(other, "the loop variable must be a name or `_`");
                return;
            }
        };
        let (lo, hi, inclusive) = match &*f.expr {
            Expr::Range(r) => {
                let (Some(start), Some(end)) = (&r.start, &r.end) else {
                    self.error(r, "a loop range needs both bounds, e.g. `0..N`");
                    return;
                };
                let bound = |l: &mut Self, e: &Expr| match l.expr(e) {
                    Val::Int(k) => Some(k),
                    Val::Poison => None,
                    Val::Idx(_) => {
                        l.fallback("a loop bound depends on an enclosing loop's index");
                        None
                    }
                    _ => {
                        l.error(
                            e,
                            format!("loop bounds must be integer literals (or integer expressions of enclosing loop indices) so the loop can be unrolled at expansion time; for a run-time bound {WAY_OUT}"),
                        );
                        None
                    }
                };
                let lo = bound(self, start);
                let hi = bound(self, end);
                let (Some(lo), Some(hi)) = (lo, hi) else {
                    return;
                };
                (lo, hi, matches!(r.limits, syn::RangeLimits::Closed(_)))
            }
            other => {
                self.error(
                    other,
                    format!("a loop must run over a range with literal bounds (`for i in 0..N`) to be unrolled; for other loops {WAY_OUT}"),
                );
                return;
            }
        };
        let hi = if inclusive { hi.saturating_add(1) } else { hi };
        if self.roll.is_some() && hi.saturating_sub(lo) > 1 {
            let carried = carries_locals(&f.body);
            if !carried || hi.saturating_sub(lo) > MAX_CARRIED_UNROLL {
                if carried {
                    self.fallback(
                        "a loop of many iterations carries a local from one iteration to the next",
                    );
                    return;
                }
                self.rolled_loop(f, &var, lo, hi);
                return;
            }
        }
        for k in lo..hi {
            self.unrolled += 1;
            if self.unrolled > MAX_UNROLL || self.g.overflowed() {
                if !self.aborted {
                    self.abort_error(&f.expr);
                }
                return;
            }
            self.scopes.push(Vec::new());
            if let Some(var) = &var {
                self.bind(var.clone(), Val::Int(k), false, false);
            }
            self.block_value(&f.body);
            self.scopes.pop();
        }
    }

    /// Lowers `for var in lo..hi` as a loop: its body once with the index symbolic, split into
    /// runs where a condition on the index changes value.
    fn rolled_loop(&mut self, f: &syn::ExprForLoop, var: &Option<String>, lo: i64, hi: i64) {
        let depth = self.roll().depth + 1;
        if depth > MAX_LOOP_DEPTH {
            self.fallback(format!("loops are nested deeper than {MAX_LOOP_DEPTH}"));
            return;
        }
        if hi.saturating_sub(lo) > MAX_UNROLL as i64 {
            self.fallback(format!("a loop runs more than {MAX_UNROLL} times"));
            return;
        }
        let index = self.g.ints.loop_index(depth);
        self.rolled_run(f, var, depth, index, lo, hi);
    }

    /// One run `lo..hi` of a rolled loop under the current assumptions.
    fn rolled_run(
        &mut self,
        f: &syn::ExprForLoop,
        var: &Option<String>,
        depth: u8,
        index: IntId,
        lo: i64,
        hi: i64,
    ) {
        let roll = self.roll();
        roll.lowerings += 1;
        if roll.lowerings > MAX_ROLLED_LOWERINGS {
            self.fallback("the conditions on loop indices split the loops into too many runs");
            return;
        }
        let snap = self.snapshot();
        let scopes = self.scopes.len();
        let roll = self.roll();
        roll.depth = depth;
        roll.body_scope.push(scopes);
        roll.items.push(Vec::new());
        self.scopes.push(Vec::new());
        if let Some(var) = var {
            self.bind(var.clone(), Val::Idx(index), false, false);
        }
        self.block_value(&f.body);
        self.scopes.pop();
        let roll = self.roll();
        let body = roll.items.pop().expect("the run's item list");
        roll.body_scope.pop();
        roll.depth = depth - 1;
        if roll.fallback.is_some() {
            return;
        }
        if let Some(c) = roll.need_split {
            let mask = self.g.ints.cond_mask(c);
            let own = 1u64 << depth;
            if mask & own == 0 {
                return; // a condition on an enclosing loop's index: that loop splits
            }
            if mask != own {
                self.fallback("a condition relates the indices of two nested loops");
                return;
            }
            self.restore(snap);
            self.roll().need_split = None;
            let mut env = [0i64; MAX_LOOP_DEPTH as usize + 1];
            let mut runs: Vec<(i64, i64, bool)> = Vec::new();
            for k in lo..hi {
                env[depth as usize] = k;
                let Some(v) = self.g.ints.cond_eval(c, &env) else {
                    self.fallback("integer overflow in a condition on a loop index");
                    return;
                };
                match runs.last_mut() {
                    Some(last) if last.2 == v => last.1 = k + 1,
                    _ => runs.push((k, k + 1, v)),
                }
            }
            if runs.len() > MAX_RUNS_PER_LOOP {
                self.fallback(format!(
                    "a condition on a loop index changes value {} times",
                    runs.len() - 1
                ));
                return;
            }
            for (a, b, v) in runs {
                self.roll().assume.push((c, v));
                self.rolled_run(f, var, depth, index, a, b);
                self.roll().assume.pop();
                if self.unwinding() {
                    return;
                }
            }
            return;
        }
        let name = var.clone().unwrap_or_else(|| "_".into());
        self.roll()
            .items
            .last_mut()
            .expect("an item list")
            .push(Item::Loop(Loop {
                depth,
                lo,
                hi,
                name,
                body,
            }));
    }

    /// Assigns `v` to a place: a `let mut` name or an element of a local array.
    fn assign(&mut self, place: &Expr, v: Val) {
        if let Some(row) = self.sink_row(place) {
            if let Some(row) = row {
                self.effect(row, v, false, place);
            }
            return;
        }
        // Peel indices: `a[i][j]` → name `a`, path [i, j].
        let mut indices = Vec::new();
        let mut e = place;
        loop {
            match e {
                Expr::Index(ix) => {
                    indices.push(&*ix.index);
                    e = &ix.expr;
                }
                Expr::Paren(p) => e = &p.expr,
                _ => break,
            }
        }
        let Expr::Path(p) = e else {
            self.error(
                place,
                "only local variables and their elements can be assigned",
            );
            return;
        };
        let Some(ident) = p.path.get_ident() else {
            self.error(
                place,
                "only local variables and their elements can be assigned",
            );
            return;
        };
        let Some((s, b)) = self.lookup(&ident.to_string()) else {
            self.error(ident, format!("unknown name `{ident}`"));
            return;
        };
        let binding = &self.scopes[s][b];
        if binding.state {
            self.error(
                place,
                format!("the state `{ident}` cannot be modified: the right-hand side reads it; copy it into a local (`let mut z = {ident};`) and change that"),
            );
            return;
        }
        if !binding.mutable {
            self.error(
                place,
                format!("`{ident}` is not mutable; declare it with `let mut {ident}`"),
            );
            return;
        }
        if let Some(roll) = &self.roll {
            if roll.depth > 0 && roll.body_scope.last().is_some_and(|&o| s < o) {
                self.fallback(format!(
                    "`{ident}` is assigned in a loop but declared before it: a value carried \
                     from one iteration to the next"
                ));
                return;
            }
        }
        indices.reverse();
        let mut ks = Vec::new();
        for ix in indices {
            match self.as_int(ix, "an index") {
                Some(k) => ks.push(k),
                None => return,
            }
        }
        if let Err(msg) = store(&mut self.scopes[s][b].val, &ks, v) {
            self.error(place, msg);
        }
    }
}

/// Writes `v` at `path` inside `target`.
fn store(target: &mut Val, path: &[i64], v: Val) -> Result<(), String> {
    match path.split_first() {
        None => {
            *target = v;
            Ok(())
        }
        Some((&k, rest)) => match target {
            Val::Arr(items) => {
                let len = items.len();
                let slot = usize::try_from(k)
                    .ok()
                    .and_then(|k| items.get_mut(k))
                    .ok_or_else(|| {
                        format!("index {k} is out of bounds for an array of length {len}")
                    })?;
                store(slot, rest, v)
            }
            Val::Poison => Ok(()),
            _ => Err("only arrays can be indexed".into()),
        },
    }
}

/// Whether a loop body assigns a name (not an element of an array) it does not declare
/// itself: a value carried from one iteration to the next, which a rolled loop cannot keep
/// (the loop is unrolled instead).
fn carries_locals(body: &Block) -> bool {
    use syn::visit::Visit;
    #[derive(Default)]
    struct Scan {
        declared: Vec<String>,
        assigned: Vec<String>,
    }
    impl Scan {
        fn place(&mut self, e: &Expr) {
            let mut e = e;
            while let Expr::Paren(p) = e {
                e = &p.expr;
            }
            if let Expr::Path(p) = e {
                if let Some(ident) = p.path.get_ident() {
                    self.assigned.push(ident.to_string());
                }
            }
        }
    }
    impl<'a> Visit<'a> for Scan {
        fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
            self.declared.push(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_expr_assign(&mut self, a: &'a syn::ExprAssign) {
            self.place(&a.left);
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'a syn::ExprBinary) {
            if matches!(
                b.op,
                BinOp::AddAssign(_)
                    | BinOp::SubAssign(_)
                    | BinOp::MulAssign(_)
                    | BinOp::DivAssign(_)
            ) {
                self.place(&b.left);
            }
            syn::visit::visit_expr_binary(self, b);
        }
    }
    let mut scan = Scan::default();
    scan.visit_block(body);
    scan.assigned.iter().any(|a| !scan.declared.contains(a))
}

/// `PI`, `consts::PI`, `f64::consts::PI`, `std::f64::consts::PI`, `f64::EPSILON`, ...
fn known_constant(segments: &[String]) -> Option<f64> {
    use std::f64::consts as c;
    let last = segments.last()?.as_str();
    let prefix: Vec<&str> = segments[..segments.len() - 1]
        .iter()
        .map(String::as_str)
        .collect();
    let consts_path = matches!(
        prefix.as_slice(),
        [] | ["consts"] | ["f64", "consts"] | ["std" | "core", "f64", "consts"]
    );
    let assoc_path = matches!(prefix.as_slice(), ["f64"]);
    if consts_path {
        let value = match last {
            "PI" => c::PI,
            "TAU" => c::TAU,
            "E" => c::E,
            "SQRT_2" => c::SQRT_2,
            "FRAC_1_SQRT_2" => c::FRAC_1_SQRT_2,
            "LN_2" => c::LN_2,
            "LN_10" => c::LN_10,
            "LOG2_E" => c::LOG2_E,
            "LOG10_E" => c::LOG10_E,
            "LOG2_10" => c::LOG2_10,
            "LOG10_2" => c::LOG10_2,
            "FRAC_PI_2" => c::FRAC_PI_2,
            "FRAC_PI_3" => c::FRAC_PI_3,
            "FRAC_PI_4" => c::FRAC_PI_4,
            "FRAC_PI_6" => c::FRAC_PI_6,
            "FRAC_PI_8" => c::FRAC_PI_8,
            "FRAC_1_PI" => c::FRAC_1_PI,
            "FRAC_2_PI" => c::FRAC_2_PI,
            "FRAC_2_SQRT_PI" => c::FRAC_2_SQRT_PI,
            _ => return None,
        };
        return Some(value);
    }
    if assoc_path {
        return match last {
            "EPSILON" => Some(f64::EPSILON),
            "MAX" => Some(f64::MAX),
            "MIN" => Some(f64::MIN),
            "MIN_POSITIVE" => Some(f64::MIN_POSITIVE),
            _ => None,
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::signature;

    fn lower_fn(item: syn::ItemFn) -> (Graph, Result<Vec<Id>, Vec<String>>) {
        let mut errors = Vec::new();
        let sig = signature(&item, &mut errors).expect("signature");
        let mut g = Graph::new();
        let out = lower(&mut g, &sig, &item.block, &mut errors);
        let res = out.ok_or_else(|| errors.iter().map(|e| e.to_string()).collect());
        (g, res)
    }

    #[test]
    fn loops_unroll_and_compound_assignments_rebind() {
        let (g, out) = lower_fn(syn::parse_quote! {
            fn chain(_t: f64, y: [f64; 3], k: f64) -> [f64; 3] {
                let mut dy = [0.0; 3];
                for i in 0..3 {
                    dy[i] -= k * y[i];
                    if i > 0 { dy[i] += k * y[i - 1]; }
                }
                dy
            }
        });
        let out = out.expect("lowers");
        assert_eq!(g.deps(out[0]), &[Var::State(0), Var::Param(0)]);
        assert_eq!(
            g.deps(out[2]),
            &[Var::State(1), Var::State(2), Var::Param(0)]
        );
    }

    #[test]
    fn every_error_of_a_body_is_reported() {
        let (_, out) = lower_fn(syn::parse_quote! {
            fn bad(_t: f64, y: [f64; 2]) -> [f64; 2] {
                let a = foo(y[0]);
                let b = y[1] % 2.0;
                [a, b.frobnicate()]
            }
        });
        let errors = out.expect_err("errors");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("call to `foo`"));
        assert!(errors[1].contains("`%`"));
        assert!(errors[2].contains("method `frobnicate`"));
    }
}

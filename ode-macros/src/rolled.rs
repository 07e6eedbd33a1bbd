//! Rolled loops: the body of a `for` loop over a literal range lowered once, with its index
//! symbolic, and emitted as a loop — right-hand side, Jacobian, `∂f/∂p` and `∂f/∂t` alike.
//!
//! [`lower_rolled`](crate::lower::lower_rolled) turns the function body into a tree of
//! [`Item`]s: loops (one per *run*, a sub-range over which every condition on loop indices has
//! one value, so `if i > 0` splits `0..n` into `0..1` and `1..n`) and *effects*, the writes
//! `dy[row] = value` and `dy[row] += value` at a symbolic row. [`analyse`] differentiates each
//! effect's value once (the template), then walks every iteration at expansion time with
//! integer arithmetic only: the rows and columns each instance touches give the sparsity
//! pattern, checked against the bounds, and the position of each derivative in the pattern's
//! order goes into a table the generated loop reads (`values[POS[p]] += ∂v/∂y`). The generated
//! code therefore grows with the number of loops and the size of their bodies, not with `N`;
//! the data (the pattern, its colouring, the position table) grows with the non-zeros, as it
//! must.
//!
//! Nodes are emitted at the depth of the deepest loop index they depend on: a node of the
//! outer index only is computed once per outer iteration, one of no index once per call
//! (loop-invariant code motion by construction).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::codegen::{int_expr, loop_var, Emitter};
use crate::diff::Differentiator;
use crate::ir::{Graph, Id, IntId, Node, Var, MAX_LOOP_DEPTH};

/// The smallest system whose loops are kept rolled by default (`loops = auto`): below it the
/// unrolled code, one statement per non-zero and no position table, is both small and fastest.
pub const ROLL_MIN_N: usize = 64;

/// The most effect instances (iterations times writes) the expansion-time walk visits.
const MAX_INSTANCES: usize = 20_000_000;

/// A write into the output array at a symbolic row.
pub struct Effect {
    pub row: IntId,
    pub value: Id,
    /// `=` (the row's earlier value is replaced) rather than `+=`.
    pub set: bool,
    pub span: Span,
    /// The variables `value` depends on with their derivatives (filled by [`analyse`]).
    pub terms: Vec<(Var, Id)>,
}

/// One run of a rolled loop: `for index in lo..hi { body }`.
pub struct Loop {
    pub depth: u8,
    pub lo: i64,
    pub hi: i64,
    /// The user's name of the index, for messages.
    pub name: String,
    pub body: Vec<Item>,
}

pub enum Item {
    Effect(Effect),
    Loop(Loop),
}

/// Calls `f` on every effect of `items`, loops' bodies included, in program order.
fn each_effect<'a>(items: &'a [Item], f: &mut dyn FnMut(&'a Effect)) {
    for item in items {
        match item {
            Item::Effect(e) => f(e),
            Item::Loop(l) => each_effect(&l.body, f),
        }
    }
}

/// [`each_effect`] with the effects mutable.
fn each_effect_mut(items: &mut [Item], f: &mut dyn FnMut(&mut Effect)) {
    for item in items {
        match item {
            Item::Effect(e) => f(e),
            Item::Loop(l) => each_effect_mut(&mut l.body, f),
        }
    }
}

/// A body lowered with rolled loops: the output array's value before the first effect, then
/// the effects and loops in program order.
pub struct RolledBody {
    pub base: Vec<Id>,
    pub items: Vec<Item>,
}

/// The analysed rolled body.
pub struct Rolled {
    pub graph: Graph,
    pub body: RolledBody,
    /// `(row, variable, derivative)` of the output array's initial values.
    pub base_terms: Vec<(usize, Var, Id)>,
    /// The pattern: each row's sorted columns.
    pub rows: Vec<Vec<usize>>,
    /// The pattern positions of the Jacobian terms of effects inside loops, in execution order.
    pub pos: Vec<u32>,
    /// The pattern positions of the Jacobian terms of the initial values and of the effects
    /// outside loops, in that order.
    pub top_pos: Vec<u32>,
    /// Whether the terms hold derivatives (symbolic mode) or only the dependencies.
    pub symbolic: bool,
}

/// Why the analysis stopped.
pub enum Outcome {
    /// The body cannot stay rolled (the reason); it is lowered unrolled instead.
    Fallback(String),
    /// An error in the body (an index out of bounds at some iteration), at its span.
    Error(syn::Error),
}

fn is_jacobian_var(v: Var) -> bool {
    matches!(v, Var::State(_) | Var::Gather(_))
}

/// Differentiates the effects (when `symbolic`) and walks every iteration for the pattern and
/// the position table.
pub fn analyse(
    mut graph: Graph,
    mut body: RolledBody,
    n: usize,
    symbolic: bool,
) -> Result<Rolled, Outcome> {
    let mut d = Differentiator::new();
    let mut terms_of = |g: &mut Graph, value: Id| -> Vec<(Var, Id)> {
        let deps: Vec<Var> = g.deps(value).to_vec();
        deps.into_iter()
            .filter_map(|v| {
                if !symbolic {
                    return Some((v, value));
                }
                let dv = d.derivative(g, value, v);
                (g.constant(dv) != Some(0.0)).then_some((v, dv))
            })
            .collect()
    };
    let mut base_terms = Vec::new();
    for (r, &value) in body.base.iter().enumerate() {
        for (v, dv) in terms_of(&mut graph, value) {
            base_terms.push((r, v, dv));
        }
    }
    each_effect_mut(&mut body.items, &mut |e| {
        e.terms = terms_of(&mut graph, e.value)
    });
    if graph.overflowed() {
        return Err(Outcome::Fallback(
            "the Jacobian's expression graph grew past its bound".into(),
        ));
    }

    // Every state read reachable from an effect's value (conditions included), for the bounds.
    let mut reads: std::collections::HashMap<Id, Vec<u32>> = std::collections::HashMap::new();
    each_effect(&body.items, &mut |e| {
        reads.entry(e.value).or_insert_with(|| {
            let mut seen = std::collections::HashSet::new();
            let mut stack = vec![e.value];
            let mut out = Vec::new();
            while let Some(id) = stack.pop() {
                if !seen.insert(id) {
                    continue;
                }
                if let Node::Var(Var::Gather(k)) = graph.node(id) {
                    out.push(k);
                }
                stack.extend(graph.children(id));
            }
            out
        });
    });

    // Pass 1: the pattern, the bounds, and the check that no `=` replaces a value already
    // carrying derivatives (the generated Jacobian accumulates).
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut touched = vec![false; n];
    for &(r, v, _) in &base_terms {
        if let Var::State(j) = v {
            rows[r].push(j);
        }
        touched[r] = true;
    }
    let mut walker = Walker {
        g: &graph,
        n,
        env: [0; MAX_LOOP_DEPTH as usize + 1],
        names: Vec::new(),
        instances: 0,
    };
    walker.walk(&body.items, &mut |w, e, row| {
        for &k in &reads[&e.value] {
            w.column(k)?;
        }
        if e.set && touched[row] {
            return Err(Outcome::Fallback(
                "an element of the output array is assigned with `=` after an earlier write \
                 to it"
                    .into(),
            ));
        }
        if !e.terms.is_empty() {
            touched[row] = true;
        }
        for &(v, _) in &e.terms {
            match v {
                Var::State(j) => rows[row].push(j),
                Var::Gather(k) => {
                    let col = w.column(k)?;
                    rows[row].push(col);
                }
                _ => {}
            }
        }
        Ok(())
    })?;
    for r in &mut rows {
        r.sort_unstable();
        r.dedup();
    }
    let mut offset = Vec::with_capacity(n + 1);
    offset.push(0usize);
    for r in &rows {
        offset.push(offset.last().copied().unwrap_or(0) + r.len());
    }
    let position = |row: usize, col: usize| -> u32 {
        let k = rows[row]
            .binary_search(&col)
            .expect("the entry is in the pattern");
        (offset[row] + k) as u32
    };

    // Pass 2: the positions, in the order the generated code visits them.
    let mut top_pos = Vec::new();
    for &(r, v, _) in &base_terms {
        if let Var::State(j) = v {
            top_pos.push(position(r, j));
        }
    }
    let mut pos = Vec::new();
    walker.instances = 0;
    walker.walk(&body.items, &mut |w, e, row| {
        let target = if w.names.is_empty() {
            &mut top_pos
        } else {
            &mut pos
        };
        for &(v, _) in &e.terms {
            let col = match v {
                Var::State(j) => j,
                Var::Gather(k) => w.column(k)?,
                _ => continue,
            };
            target.push(position(row, col));
        }
        Ok(())
    })?;
    Ok(Rolled {
        graph,
        body,
        base_terms,
        rows,
        pos,
        top_pos,
        symbolic,
    })
}

/// Visits every effect instance in execution order with concrete loop indices.
struct Walker<'a> {
    g: &'a Graph,
    n: usize,
    env: [i64; MAX_LOOP_DEPTH as usize + 1],
    /// The enclosing loops' index names and values, for messages.
    names: Vec<String>,
    instances: usize,
}

type Visit<'v> = dyn FnMut(&Walker, &Effect, usize) -> Result<(), Outcome> + 'v;

impl Walker<'_> {
    fn walk(&mut self, items: &[Item], visit: &mut Visit) -> Result<(), Outcome> {
        for item in items {
            match item {
                Item::Effect(e) => {
                    self.instances += 1;
                    if self.instances > MAX_INSTANCES {
                        return Err(Outcome::Fallback(format!(
                            "the loops write more than {MAX_INSTANCES} elements"
                        )));
                    }
                    let row = self.index(e.row, e.span, "the derivative")?;
                    visit(self, e, row)?;
                }
                Item::Loop(l) => {
                    self.names.push(l.name.clone());
                    for k in l.lo..l.hi {
                        self.env[l.depth as usize] = k;
                        self.walk(&l.body, visit)?;
                    }
                    self.names.pop();
                }
            }
        }
        Ok(())
    }

    /// The column of the state read `Var::Gather(k)` at the current iteration, checked against
    /// the bounds.
    fn column(&self, k: u32) -> Result<usize, Outcome> {
        let ints = &self.g.ints;
        self.index(
            ints.gathers[k as usize],
            ints.gather_spans[k as usize],
            "the state",
        )
    }

    fn index(&self, index: IntId, span: Span, what: &str) -> Result<usize, Outcome> {
        let value = self.g.ints.eval(index, &self.env);
        match value {
            Some(k) if (0..self.n as i64).contains(&k) => Ok(k as usize),
            _ => {
                let at: Vec<String> = self
                    .names
                    .iter()
                    .enumerate()
                    .map(|(d, name)| format!("{name} = {}", self.env[d + 1]))
                    .collect();
                let value = value.map_or_else(|| "overflows".to_string(), |k| format!("{k}"));
                Err(Outcome::Error(syn::Error::new(
                    span,
                    format!(
                        "index {value} is out of bounds for the {} components of {what} (at {})",
                        self.n,
                        at.join(", ")
                    ),
                )))
            }
        }
    }
}

/// What a generated function writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `values[position] += ∂f/∂y` (the pattern's order).
    Jacobian,
    /// `dfdp[row][k] += ∂f/∂p_k`.
    Param,
    /// `dfdt[row] += ∂f/∂t`.
    Time,
}

impl Target {
    fn wants(self, v: Var) -> bool {
        match self {
            Target::Jacobian => is_jacobian_var(v),
            Target::Param => matches!(v, Var::Param(_)),
            Target::Time => v == Var::Time,
        }
    }
}

/// The deepest loop index each node depends on.
fn levels(g: &Graph) -> Vec<u8> {
    let top = |mask: u64| (63 - mask.leading_zeros().min(63)) as u8;
    let mut level = vec![0u8; g.len()];
    for id in 0..g.len() as Id {
        level[id as usize] = match g.node(id) {
            Node::Var(Var::Gather(k)) => top(g.ints.mask(g.ints.gathers[k as usize])),
            Node::IntReal(e) => top(g.ints.mask(e)),
            _ => g
                .children(id)
                .iter()
                .map(|&c| level[c as usize])
                .max()
                .unwrap_or(0),
        };
    }
    level
}

struct Gen<'a> {
    r: &'a Rolled,
    em: Emitter<'a>,
    level: Vec<u8>,
    target: Target,
    top_next: std::cell::Cell<usize>,
}

impl Gen<'_> {
    fn writes_of<'e>(&self, e: &'e Effect) -> impl Iterator<Item = &'e (Var, Id)> + 'e {
        let target = self.target;
        e.terms.iter().filter(move |(v, _)| target.wants(*v))
    }

    fn roots(&self, items: &[Item], out: &mut Vec<Id>) {
        each_effect(items, &mut |e| {
            out.extend(self.writes_of(e).map(|&(_, d)| d))
        });
    }

    /// The nodes of exactly `depth` that the roots need, in increasing order.
    fn scope_nodes(&self, roots: &[Id], depth: u8) -> Vec<Id> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut stack = roots.to_vec();
        while let Some(id) = stack.pop() {
            let l = self.level[id as usize];
            if l < depth || !seen.insert(id) {
                continue;
            }
            if l == depth {
                out.push(id);
            }
            stack.extend(self.r.graph.children(id));
        }
        out.sort_unstable();
        out
    }

    /// A loop's body: the nodes of its depth, then its writes and inner loops.
    fn scope(&self, items: &[Item], depth: u8) -> TokenStream {
        let mut roots = Vec::new();
        self.roots(items, &mut roots);
        if roots.is_empty() {
            return TokenStream::new();
        }
        let lets = self.em.lets(self.scope_nodes(&roots, depth).into_iter());
        let body = self.items(items, depth);
        quote!(#lets #body)
    }

    /// The writes and loops of `items`, at nesting depth `depth` (loops without a write for
    /// the target left out).
    fn items(&self, items: &[Item], depth: u8) -> TokenStream {
        let mut body = TokenStream::new();
        for item in items {
            match item {
                Item::Effect(e) => body.extend(self.effect(e, depth)),
                Item::Loop(l) => {
                    let inner = self.scope(&l.body, l.depth);
                    if inner.is_empty() {
                        continue;
                    }
                    let v = loop_var(l.depth);
                    let (lo, hi) = (
                        proc_macro2::Literal::i64_suffixed(l.lo),
                        proc_macro2::Literal::i64_suffixed(l.hi),
                    );
                    body.extend(quote!(for #v in #lo..#hi { #inner }));
                }
            }
        }
        body
    }

    fn effect(&self, e: &Effect, depth: u8) -> TokenStream {
        let row = int_expr(&self.r.graph.ints, e.row);
        let mut out = TokenStream::new();
        let p = format_ident!("__p", span = Span::mixed_site());
        let table = format_ident!("__POS", span = Span::mixed_site());
        let mut k = 0usize;
        for &(v, d) in self.writes_of(e) {
            let d = self.em.operand(d);
            out.extend(match (self.target, v) {
                (Target::Jacobian, _) if depth == 0 => {
                    let at = self.top_next.get();
                    self.top_next.set(at + 1);
                    let position = proc_macro2::Literal::u32_unsuffixed(self.r.top_pos[at]);
                    quote!(values[#position] += #d;)
                }
                (Target::Jacobian, _) => {
                    let offset = proc_macro2::Literal::usize_unsuffixed(k);
                    k += 1;
                    quote!(values[#table[#p + #offset] as usize] += #d;)
                }
                (Target::Param, Var::Param(j)) => {
                    let j = proc_macro2::Literal::usize_unsuffixed(j);
                    quote!(dfdp[#row as usize][#j] += #d;)
                }
                _ => quote!(dfdt[#row as usize] += #d;),
            });
        }
        if k > 0 {
            let k = proc_macro2::Literal::usize_unsuffixed(k);
            out.extend(quote!(#p += #k;));
        }
        out
    }

    /// The whole function body for the target.
    fn body(&self) -> TokenStream {
        let base: Vec<&(usize, Var, Id)> = self
            .r
            .base_terms
            .iter()
            .filter(|(_, v, _)| self.target.wants(*v))
            .collect();
        let base_roots: Vec<Id> = base.iter().map(|&&(_, _, d)| d).collect();
        // The initial values' writes come first, then the items; both read the top scope's
        // bindings, which `scope` emits first.
        let mut base_writes = TokenStream::new();
        for &&(r, v, d) in &base {
            let d = self.em.operand(d);
            let r = proc_macro2::Literal::usize_unsuffixed(r);
            base_writes.extend(match (self.target, v) {
                (Target::Jacobian, _) => {
                    let at = self.top_next.get();
                    self.top_next.set(at + 1);
                    let position = proc_macro2::Literal::u32_unsuffixed(self.r.top_pos[at]);
                    quote!(values[#position] += #d;)
                }
                (Target::Param, Var::Param(j)) => {
                    let j = proc_macro2::Literal::usize_unsuffixed(j);
                    quote!(dfdp[#r][#j] += #d;)
                }
                _ => quote!(dfdt[#r] += #d;),
            });
        }
        let mut roots = base_roots;
        self.roots(&self.r.body.items, &mut roots);
        let lets = self.em.lets(self.scope_nodes(&roots, 0).into_iter());
        let items = self.items(&self.r.body.items, 0);
        quote!(#lets #base_writes #items)
    }
}

impl Rolled {
    fn gen<'a>(&'a self, params: &'a [(String, TokenStream)], target: Target) -> Gen<'a> {
        Gen {
            r: self,
            em: Emitter {
                g: &self.graph,
                params,
            },
            level: levels(&self.graph),
            target,
            top_next: std::cell::Cell::new(0),
        }
    }

    /// The body of `jacobian_nonzeros(&self, t, y, values)`.
    pub fn jacobian_body(&self, params: &[(String, TokenStream)], nnz: usize) -> TokenStream {
        let body = self.gen(params, Target::Jacobian).body();
        let nnz = proc_macro2::Literal::usize_unsuffixed(nnz);
        let m = proc_macro2::Literal::usize_unsuffixed(self.pos.len());
        let positions = self
            .pos
            .iter()
            .map(|&p| proc_macro2::Literal::u32_unsuffixed(p));
        let p = format_ident!("__p", span = Span::mixed_site());
        let table = format_ident!("__POS", span = Span::mixed_site());
        quote! {
            /// The position in the pattern of each derivative the loops write, in the order
            /// they write them (computed at expansion time).
            static #table: [u32; #m] = [#(#positions),*];
            *values = [0.0; #nnz];
            let mut #p: usize = 0;
            #body
        }
    }

    /// The body of `param_jacobian(&self, t, y, dfdp)` after zeroing `dfdp`.
    pub fn param_body(&self, params: &[(String, TokenStream)]) -> TokenStream {
        self.gen(params, Target::Param).body()
    }

    /// The body of `time_derivative(&self, t, y, dfdt)` after zeroing `dfdt`.
    pub fn time_body(&self, params: &[(String, TokenStream)]) -> TokenStream {
        self.gen(params, Target::Time).body()
    }

    /// Whether `f` does not depend on `t`.
    pub fn autonomous(&self) -> bool {
        let mut time = self.base_terms.iter().any(|&(_, v, _)| v == Var::Time);
        each_effect(&self.body.items, &mut |e| {
            time |= e.terms.iter().any(|&(v, _)| v == Var::Time);
        });
        !time
    }

    /// The derivative nodes the generated code needs and the number of writes: the size of
    /// the generated Jacobian code, for the budget.
    pub fn code_size(&self) -> (Vec<Id>, usize) {
        let mut roots: Vec<Id> = self.base_terms.iter().map(|&(_, _, d)| d).collect();
        let mut writes = roots.len();
        each_effect(&self.body.items, &mut |e| {
            roots.extend(e.terms.iter().map(|&(_, d)| d));
            writes += e.terms.len();
        });
        (roots, writes)
    }
}

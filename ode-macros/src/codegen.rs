//! Code generation: the system struct and its trait implementations.
//!
//! Graph nodes are emitted as `let` bindings in topological order, each once, and only those
//! the requested results reach; leaves (constants, variables) are written in place. All paths
//! to the core are absolute (`::odegen::__private::...`), so the user needs no imports.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::ir::{Cmp, Graph, Id, IntId, IntNode, Ints, Node, Var};
use crate::options::{EventActionOpt, EventDirection, Options};
use crate::parse::Signature;
use crate::rolled::Rolled;
use crate::sparsity::Pattern;

/// The analysed system: what the symbolic path produced.
pub struct Symbolic {
    pub graph: Graph,
    pub outputs: Vec<Id>,
    /// `∂f_i/∂y_j` for the pattern's entries, in the pattern's order.
    pub jac: Vec<Id>,
    /// `(i, k, ∂f_i/∂p_k)` for the non-zeros of the parameter Jacobian.
    pub pjac: Vec<(usize, usize, Id)>,
    /// `(i, ∂f_i/∂t)` for the components of `f` that depend on `t`.
    pub dfdt: Vec<(usize, Id)>,
}

/// An unsuffixed integer literal (`3`, not `3usize`): shorter generated code.
fn int(i: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(i)
}

/// A float literal that reads back to exactly `x`.
fn float(x: f64) -> TokenStream {
    if x.is_nan() {
        quote!(f64::NAN)
    } else if x.is_infinite() {
        if x > 0.0 {
            quote!(f64::INFINITY)
        } else {
            quote!(f64::NEG_INFINITY)
        }
    } else {
        // `-2.0f64` is valid wherever an operand is: unary minus binds tighter than every
        // binary operator and the generated calls are `<f64 as Float>::m(x)`, never `x.m()`.
        let lit = syn::LitFloat::new(&format!("{:?}f64", x.abs()), Span::call_site());
        if x.is_sign_negative() {
            quote!(-#lit)
        } else {
            quote!(#lit)
        }
    }
}

/// Whether a node is boolean (a selection between booleans is one too).
fn is_bool(g: &Graph, mut id: Id) -> bool {
    loop {
        match g.node(id) {
            Node::Cmp(..) | Node::Bool(_) | Node::And(..) | Node::Or(..) | Node::Not(_) => {
                return true
            }
            Node::Select(_, a, _) => id = a,
            _ => return false,
        }
    }
}

fn temp(id: Id) -> syn::Ident {
    format_ident!("__t{}", id, span = Span::mixed_site())
}

/// Emits `let` bindings for every node the `roots` need; returns them and the roots' tokens.
pub fn emit(
    g: &Graph,
    roots: &[Id],
    params: &[(String, TokenStream)],
) -> (TokenStream, Vec<TokenStream>) {
    let mut needed = vec![false; g.len()];
    let mut stack: Vec<Id> = roots.to_vec();
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut needed[id as usize], true) {
            continue;
        }
        stack.extend(g.children(id));
    }
    let e = Emitter { g, params };
    let lets = e.lets((0..g.len() as Id).filter(|&id| needed[id as usize]));
    let roots = roots.iter().map(|&r| e.operand(r)).collect();
    (lets, roots)
}

/// The loop variable of a rolled loop at nesting depth `depth` in the generated code.
pub fn loop_var(depth: u8) -> syn::Ident {
    format_ident!("__i{}", depth, span = Span::mixed_site())
}

/// A symbolic integer as an `i64` expression of the generated loops' variables.
pub fn int_expr(ints: &Ints, id: IntId) -> TokenStream {
    let bin = |a: IntId, op: TokenStream, b: IntId| {
        let (a, b) = (int_expr(ints, a), int_expr(ints, b));
        quote!((#a #op #b))
    };
    match ints.node(id) {
        IntNode::Const(v) => {
            let lit = proc_macro2::Literal::i64_unsuffixed(v.abs());
            if v < 0 {
                quote!((-#lit))
            } else {
                quote!(#lit)
            }
        }
        IntNode::Loop(d) => loop_var(d).into_token_stream(),
        IntNode::Add(a, b) => bin(a, quote!(+), b),
        IntNode::Sub(a, b) => bin(a, quote!(-), b),
        IntNode::Mul(a, b) => bin(a, quote!(*), b),
        IntNode::Div(a, b) => bin(a, quote!(/), b),
        IntNode::Rem(a, b) => bin(a, quote!(%), b),
    }
}

/// Writes graph nodes as Rust: leaves in place, other nodes as `let` bindings.
pub struct Emitter<'a> {
    pub g: &'a Graph,
    pub params: &'a [(String, TokenStream)],
}

impl Emitter<'_> {
    fn leaf(&self, id: Id) -> Option<TokenStream> {
        let g = self.g;
        let y = syn::Ident::new("y", Span::mixed_site());
        let t = syn::Ident::new("t", Span::mixed_site());
        Some(match g.node(id) {
            Node::Const(bits) => float(f64::from_bits(bits)),
            Node::Bool(b) => quote!(#b),
            Node::Var(Var::State(i)) => {
                let i = int(i);
                quote!(#y[#i])
            }
            Node::Var(Var::Gather(k)) => {
                let index = int_expr(&g.ints, g.ints.gathers[k as usize]);
                quote!(#y[#index as usize])
            }
            Node::IntReal(k) => {
                let index = int_expr(&g.ints, k);
                quote!((#index as f64))
            }
            Node::Var(Var::Time) => quote!(#t),
            Node::Var(Var::Param(k)) => self.params[k].1.clone(),
            Node::Named(k) => {
                let path = &g.named[k as usize];
                quote!((#path))
            }
            _ => return None,
        })
    }

    /// The tokens that stand for a node: the leaf itself or its binding's name.
    pub fn operand(&self, id: Id) -> TokenStream {
        self.leaf(id)
            .unwrap_or_else(|| temp(id).into_token_stream())
    }

    /// `let` bindings for the non-leaf nodes among `ids`, which must come in increasing
    /// order (a topological order) and include every non-leaf child not bound earlier.
    pub fn lets(&self, ids: impl Iterator<Item = Id>) -> TokenStream {
        let g = self.g;
        // Elementary functions through `num_traits::Float`, which is `std`'s own functions with
        // `std` and `libm`'s without: the generated code compiles in `#![no_std]` crates too.
        let float_trait = quote!(::odegen::__private::Float);
        let mut lets = TokenStream::new();
        for id in ids {
            if self.leaf(id).is_some() {
                continue;
            }
            let o = |id| self.operand(id);
            // `a op b` for the infix operators.
            let infix = |a: Id, op: TokenStream, b: Id| {
                let (a, b) = (o(a), o(b));
                quote!(#a #op #b)
            };
            let (ty, value) = match g.node(id) {
                Node::Add(a, b) => (quote!(f64), infix(a, quote!(+), b)),
                Node::Sub(a, b) => (quote!(f64), infix(a, quote!(-), b)),
                Node::Mul(a, b) => (quote!(f64), infix(a, quote!(*), b)),
                Node::Div(a, b) => (quote!(f64), infix(a, quote!(/), b)),
                Node::Neg(a) => (quote!(f64), {
                    let a = o(a);
                    quote!(-#a)
                }),
                Node::Powi(a, n) => (quote!(f64), {
                    let a = o(a);
                    match n {
                        2 => quote!(#a * #a),
                        _ => quote!(<f64 as #float_trait>::powi(#a, #n)),
                    }
                }),
                Node::F1(f, a) => (quote!(f64), {
                    let a = o(a);
                    let m = format_ident!("{}", f.method());
                    quote!(<f64 as #float_trait>::#m(#a))
                }),
                Node::F2(f, a, b) => (quote!(f64), {
                    let (a, b) = (o(a), o(b));
                    let m = format_ident!("{}", f.method());
                    quote!(<f64 as #float_trait>::#m(#a, #b))
                }),
                Node::MulAdd(a, b, c) => (quote!(f64), {
                    let (a, b, c) = (o(a), o(b), o(c));
                    quote!(<f64 as #float_trait>::mul_add(#a, #b, #c))
                }),
                Node::Cmp(op, a, b) => {
                    let op = match op {
                        Cmp::Lt => quote!(<),
                        Cmp::Le => quote!(<=),
                        Cmp::Gt => quote!(>),
                        Cmp::Ge => quote!(>=),
                        Cmp::Eq => quote!(==),
                        Cmp::Ne => quote!(!=),
                    };
                    (quote!(bool), infix(a, op, b))
                }
                Node::And(a, b) => (quote!(bool), infix(a, quote!(&&), b)),
                Node::Or(a, b) => (quote!(bool), infix(a, quote!(||), b)),
                Node::Not(a) => (quote!(bool), {
                    let a = o(a);
                    quote!(!#a)
                }),
                Node::Select(c, a, b) => {
                    let ty = if is_bool(g, a) {
                        quote!(bool)
                    } else {
                        quote!(f64)
                    };
                    let (c, a, b) = (o(c), o(a), o(b));
                    (ty, quote!(if #c { #a } else { #b }))
                }
                Node::Const(_)
                | Node::Var(_)
                | Node::Named(_)
                | Node::Bool(_)
                | Node::IntReal(_) => {
                    unreachable!("leaves are written in place")
                }
            };
            let name = temp(id);
            lets.extend(quote!(let #name: #ty = #value;));
        }
        lets
    }
}

use quote::ToTokens;

/// Everything generated for one system.
pub fn system(
    sig: &Signature,
    options: &Options,
    symbolic: Option<&Symbolic>,
    rolled: Option<&Rolled>,
    pattern: &Pattern,
    analysed: bool,
    dual_fn: Option<&syn::Ident>,
) -> TokenStream {
    let rolled_symbolic = rolled.filter(|r| r.symbolic);
    let analytic = symbolic.is_some() || rolled_symbolic.is_some();
    let vis = &sig.vis;
    let name = &sig.name;
    let sname = &sig.struct_name;
    let docs = &sig.docs;
    let params = &sig.params;
    let types = sig.param_types();
    let flat = sig.flat_params();
    let n = int(sig.n);
    let p = int(flat.len());
    let nnz = int(pattern.entries.len());
    let y = syn::Ident::new("y", Span::mixed_site());
    let t = syn::Ident::new("t", Span::mixed_site());
    let core = quote!(::odegen::__private::ode_core);
    let param_names: Vec<String> = flat.iter().map(|(name, _)| name.clone()).collect();

    let jac_doc = match (analytic, options.jacobian) {
        (_, crate::options::JacobianMode::Dual) => {
            "forward-mode automatic differentiation (num-dual, one pass per column)"
        }
        (_, crate::options::JacobianMode::FiniteDifference) => {
            "central finite differences, one pair of evaluations per colour of the columns"
        }
        _ => "symbolic differentiation at compile time",
    };
    let jac_doc = format!(" Generated by `#[ode_system]` from [`{name}`]; Jacobian by {jac_doc}.");
    let definition = if params.is_empty() {
        quote! {
            #(#docs)*
            #[doc = ""]
            #[doc = #jac_doc]
            #[derive(Debug, Clone, Copy, PartialEq, Default)]
            #vis struct #sname;
        }
    } else {
        let field_docs = params
            .iter()
            .map(|p| format!(" The parameter `{p}` of [`{name}`]."));
        quote! {
            #(#docs)*
            #[doc = ""]
            #[doc = #jac_doc]
            #[derive(Debug, Clone, Copy, PartialEq, Default)]
            #vis struct #sname {
                #( #[doc = #field_docs] pub #params: #types, )*
            }
        }
    };
    let construct = if params.is_empty() {
        quote!(#sname)
    } else {
        quote!(#sname { #( #params ),* })
    };
    let from_params = if params.is_empty() {
        quote!(#sname)
    } else {
        let mut k = 0;
        let fields = params
            .iter()
            .zip(&sig.param_lens)
            .map(|(q, len)| match len {
                None => {
                    let i = int(k);
                    k += 1;
                    quote!(#q: p[#i])
                }
                Some(m) => {
                    let is = (k..k + m).map(int);
                    k += m;
                    quote!(#q: [#(p[#is]),*])
                }
            });
        quote!(#sname { #( #fields ),* })
    };
    let self_params = flat.iter().map(|(_, access)| access.clone());
    let self_params2 = params.iter().map(|q| quote!(self.#q));

    let pattern_rows = pattern.entries.iter().map(|&(i, _)| int(i));
    let pattern_cols = pattern.entries.iter().map(|&(_, j)| int(j));
    let colors = pattern.colors.iter().map(|&c| int(c));
    let n_colors = int(pattern.n_colors);
    // The LU structure of the pattern (a nested-dissection order and the factors' pattern),
    // computed here once so the compile-time sparse solver needs no analysis at run time; not
    // emitted past LU_BUDGET entries (a dense pattern of a large system), where the generated
    // arrays would cost more to compile than the solver saves.
    let lu = ode_core::linalg::symbolic::analyse(sig.n, &pattern.entries);
    let (lu_const, lu_impl) = if lu.nnz() <= LU_BUDGET {
        let lu_nnz = int(lu.nnz());
        let [order, row_start, cols, diag, inverse, entry] = [
            &lu.order,
            &lu.row_start,
            &lu.cols,
            &lu.diag,
            &lu.inverse,
            &lu.entry,
        ]
        .map(|a| {
            let items = a.iter().map(|&v| proc_macro2::Literal::u32_unsuffixed(v));
            quote!(&[#(#items),*])
        });
        (
            quote! {
                /// The number of stored entries of the Jacobian's sparse LU factors under the
                /// nested-dissection order computed at compile time ([`SymbolicLu`]): the size
                /// of the compile-time sparse solvers' storage.
                ///
                /// [`SymbolicLu`]: ::odegen::linalg::SymbolicLu
                pub const LU_NNZ: usize = #lu_nnz;
            },
            quote! {
                impl #core::linalg::SymbolicLu<#n> for #sname {
                    const LU_NNZ: usize = #lu_nnz;
                    const LU: #core::linalg::LuStructure<'static> = #core::linalg::LuStructure {
                        order: #order,
                        row_start: #row_start,
                        cols: #cols,
                        diag: #diag,
                        inverse: #inverse,
                        entry: #entry,
                    };
                }
            },
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    // The structure solvers chosen at run time read (solve_ivp's linear-solver choice and
    // the run-time sparse LU): the pattern, and the LU structure where it was emitted.
    let structure = if lu_impl.is_empty() {
        quote!(#core::JacobianStructure::of::<Self, #n>())
    } else {
        quote!(#core::JacobianStructure::with_lu::<Self, #n>())
    };
    let pattern_doc = if analysed {
        " The structural non-zeros found by analysing the function body."
    } else {
        " Dense: the body was not analysed symbolically."
    };

    // How the implicit methods get the Jacobian: the analytic one, the dual one, or coloured
    // forward differences (whose evaluations of f they count).
    let newton = match (options.jacobian, analytic, dual_fn.is_some()) {
        (crate::options::JacobianMode::Symbolic, true, _) => {
            let autonomous = symbolic.is_some_and(|s| s.dfdt.is_empty())
                || rolled_symbolic.is_some_and(|r| r.autonomous());
            let time = if autonomous {
                quote! {
                    const TIME_DEPENDENCE: #core::TimeDependence = #core::TimeDependence::Autonomous;
                    #[inline]
                    fn newton_time_derivative(&self, _t: f64, _y: &[f64; #n], _f: &[f64; #n], dfdt: &mut [f64; #n]) -> usize {
                        *dfdt = [0.0; #n];
                        0
                    }
                }
            } else {
                quote! {
                    const TIME_DEPENDENCE: #core::TimeDependence = #core::TimeDependence::Analytic;
                    #[inline]
                    fn newton_time_derivative(&self, t: f64, y: &[f64; #n], _f: &[f64; #n], dfdt: &mut [f64; #n]) -> usize {
                        #core::TimeDerivative::<#n>::time_derivative(self, t, y, dfdt);
                        0
                    }
                }
            };
            quote! {
                const JACOBIAN: #core::JacobianKind = #core::JacobianKind::Analytic;
                #[inline]
                fn newton_jacobian(&self, t: f64, y: &[f64; #n], _f: &[f64; #n], jac: &mut [[f64; #n]; #n]) -> usize {
                    #core::Jacobian::<#n>::jacobian_into_zeroed(self, t, y, jac);
                    0
                }
                #[inline]
                fn newton_jacobian_entries(
                    &self,
                    t: f64,
                    y: &[f64; #n],
                    _f: &[f64; #n],
                    entry: &mut dyn FnMut(usize, usize, f64),
                ) -> ::core::option::Option<usize> {
                    let mut values = [0.0; #nnz];
                    self.jacobian_nonzeros(t, y, &mut values);
                    for (&(i, j), &v) in <Self as #core::Sparsity<#n>>::PATTERN.iter().zip(values.iter()) {
                        entry(i, j, v);
                    }
                    ::core::option::Option::Some(0)
                }
                #time
            }
        }
        (crate::options::JacobianMode::Dual, _, true) => quote! {
            const JACOBIAN: #core::JacobianKind = #core::JacobianKind::ForwardAd;
            #[inline]
            fn newton_jacobian(&self, t: f64, y: &[f64; #n], _f: &[f64; #n], jac: &mut [[f64; #n]; #n]) -> usize {
                #core::Jacobian::<#n>::jacobian(self, t, y, jac);
                0
            }
        },
        _ => quote! {
            const JACOBIAN: #core::JacobianKind = #core::JacobianKind::ColoredFiniteDifferences;
            #[inline]
            fn newton_jacobian(&self, t: f64, y: &[f64; #n], f: &[f64; #n], jac: &mut [[f64; #n]; #n]) -> usize {
                #core::finite_diff::colored_forward_jacobian(self, t, y, f, jac)
            }
        },
    };

    let inherent = quote! {
        #[allow(dead_code)]
        impl #sname {
            /// The number of state components.
            pub const N: usize = #n;
            /// The parameters' names, in the order of the function's arguments.
            pub const PARAMS: [&'static str; #p] = [#(#param_names),*];
            /// The number of structural non-zeros of the Jacobian.
            pub const NNZ: usize = #nnz;
            #lu_const
            /// The system with the given parameters.
            #[allow(clippy::new_without_default)]
            pub const fn new(#(#params: #types),*) -> Self {
                #construct
            }
            /// The parameters as an array, in the order of [`Self::PARAMS`].
            pub const fn params(&self) -> [f64; #p] {
                [#(#self_params),*]
            }
            /// The system with parameters `p`, in the order of [`Self::PARAMS`].
            #[allow(unused_variables)]
            pub const fn from_params(p: [f64; #p]) -> Self {
                #from_params
            }
        }

        impl #core::OdeSystem<#n> for #sname {
            #[inline]
            fn rhs(&self, #t: f64, #y: &[f64; #n], dy: &mut [f64; #n]) {
                *dy = #name(#t, *#y, #(#self_params2),*);
            }

            #[inline]
            fn jacobian_structure(&self) -> ::core::option::Option<#core::JacobianStructure<'_>> {
                ::core::option::Option::Some(#structure)
            }

            #newton
        }

        #[doc = #pattern_doc]
        impl #core::Sparsity<#n> for #sname {
            const PATTERN: &'static [(usize, usize)] = &[#( (#pattern_rows, #pattern_cols) ),*];
            const COLORS: [usize; #n] = [#(#colors),*];
            const N_COLORS: usize = #n_colors;
        }

        #lu_impl
    };

    let jacobian = match (options.jacobian, symbolic, dual_fn) {
        (crate::options::JacobianMode::Symbolic, Some(s), _) => symbolic_impls(sig, s, pattern),
        (crate::options::JacobianMode::Symbolic, None, _) if rolled_symbolic.is_some() => {
            rolled_impls(sig, rolled_symbolic.expect("checked"), pattern)
        }
        (crate::options::JacobianMode::Dual, _, Some(dual)) => dual_impls(sig, dual),
        _ => fd_impls(sig),
    };
    let events = events(sig, options);
    quote! {
        #definition
        #inherent
        #jacobian
        #events
    }
}

/// The most entries of `L + U` for which the compile-time LU structure is generated (as six
/// arrays of that order of `u32` literals): 2-D grids of 10⁴ points need a few 10⁵. Past it, the
/// system has no [`SymbolicLu`](ode_core::linalg::SymbolicLu) and runs on the dense, band or
/// run-time sparse solvers.
const LU_BUDGET: usize = 2_000_000;

/// Writes the values `vals` of the pattern's entries into `jac`: as one array literal for small
/// systems (every entry written once, no separate zeroing), otherwise zeros then the entries.
fn fill_dense(n: usize, entries: &[(usize, usize)], vals: &[TokenStream]) -> TokenStream {
    const LITERAL_MAX_N: usize = 32;
    let nl = int(n);
    if n <= LITERAL_MAX_N {
        let mut rows = vec![vec![quote!(0.0); n]; n];
        for (&(i, j), v) in entries.iter().zip(vals) {
            rows[i][j] = v.clone();
        }
        let rows = rows.iter().map(|r| quote!([#(#r),*]));
        quote!(*jac = [#(#rows),*];)
    } else {
        let scatter = scatter(entries, vals);
        quote! {
            *jac = [[0.0; #nl]; #nl];
            #scatter
        }
    }
}

/// `jac[i][j] = value;` for each entry.
fn scatter(entries: &[(usize, usize)], vals: &[TokenStream]) -> TokenStream {
    let rows = entries.iter().map(|&(i, _)| int(i));
    let cols = entries.iter().map(|&(_, j)| int(j));
    quote!(#( jac[#rows][#cols] = #vals; )*)
}

fn symbolic_impls(sig: &Signature, s: &Symbolic, pattern: &Pattern) -> TokenStream {
    let sname = &sig.struct_name;
    let n = int(sig.n);
    let p = int(sig.flat_params().len());
    let nnz = int(pattern.entries.len());
    let y = syn::Ident::new("y", Span::mixed_site());
    let t = syn::Ident::new("t", Span::mixed_site());
    let core = quote!(::odegen::__private::ode_core);
    let entries = &pattern.entries;

    // The Jacobian's code exists once, in `jacobian_nonzeros`; the dense entry points scatter
    // its values. Only the fused entry point has its own copy, which shares the right-hand
    // side's subexpressions.
    let flat = sig.flat_params();
    let (jac_lets, jac_vals) = emit(&s.graph, &s.jac, &flat);
    let v = syn::Ident::new("v", Span::mixed_site());
    let from_v: Vec<TokenStream> = (0..entries.len())
        .map(|k| {
            let k = int(k);
            quote!(#v[#k])
        })
        .collect();
    let dense = fill_dense(sig.n, entries, &from_v);
    let sparse = scatter(entries, &from_v);

    let mut fused_roots = s.outputs.clone();
    fused_roots.extend(&s.jac);
    let (fused_lets, fused_vals) = emit(&s.graph, &fused_roots, &flat);
    let (out_vals, fused_jac) = fused_vals.split_at(sig.n);
    let fused_fill = fill_dense(sig.n, entries, fused_jac);

    let pjac_ids: Vec<Id> = s.pjac.iter().map(|&(_, _, id)| id).collect();
    let (p_lets, p_vals) = emit(&s.graph, &pjac_ids, &flat);
    let p_rows = s.pjac.iter().map(|&(i, _, _)| int(i));
    let p_cols = s.pjac.iter().map(|&(_, k, _)| int(k));
    let dfdt_ids: Vec<Id> = s.dfdt.iter().map(|&(_, id)| id).collect();
    let (t_lets, t_vals) = emit(&s.graph, &dfdt_ids, &flat);
    let t_rows = s.dfdt.iter().map(|&(i, _)| int(i));

    quote! {
        #[allow(dead_code)]
        impl #sname {
            /// Writes the Jacobian's structural non-zeros, in the order of
            /// [`Sparsity::PATTERN`](::odegen::Sparsity::PATTERN), into `values`.
            #[allow(unused_variables, clippy::all)]
            #[inline]
            pub fn jacobian_nonzeros(&self, #t: f64, #y: &[f64; #n], values: &mut [f64; #nnz]) {
                #jac_lets
                *values = [#(#jac_vals),*];
            }
        }

        impl #core::Jacobian<#n> for #sname {
            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn jacobian(&self, #t: f64, #y: &[f64; #n], jac: &mut [[f64; #n]; #n]) {
                let mut #v = [0.0; #nnz];
                self.jacobian_nonzeros(#t, #y, &mut #v);
                #dense
            }

            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn jacobian_into_zeroed(&self, #t: f64, #y: &[f64; #n], jac: &mut [[f64; #n]; #n]) {
                let mut #v = [0.0; #nnz];
                self.jacobian_nonzeros(#t, #y, &mut #v);
                #sparse
            }

            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn rhs_and_jacobian(
                &self,
                #t: f64,
                #y: &[f64; #n],
                dy: &mut [f64; #n],
                jac: &mut [[f64; #n]; #n],
            ) {
                #fused_lets
                *dy = [#(#out_vals),*];
                #fused_fill
            }
        }

        impl #core::ParamJacobian<#n, #p> for #sname {
            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn param_jacobian(&self, #t: f64, #y: &[f64; #n], dfdp: &mut [[f64; #p]; #n]) {
                #p_lets
                *dfdp = [[0.0; #p]; #n];
                #( dfdp[#p_rows][#p_cols] = #p_vals; )*
            }
        }

        impl #core::TimeDerivative<#n> for #sname {
            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn time_derivative(&self, #t: f64, #y: &[f64; #n], dfdt: &mut [f64; #n]) {
                #t_lets
                *dfdt = [0.0; #n];
                #( dfdt[#t_rows] = #t_vals; )*
            }
        }
    }
}

/// The Jacobian, `∂f/∂p` and `∂f/∂t` of a body with rolled loops: loops writing through the
/// position table (see [`crate::rolled`]); the dense entry points scatter `jacobian_nonzeros`
/// in a loop over the pattern.
fn rolled_impls(sig: &Signature, r: &Rolled, pattern: &Pattern) -> TokenStream {
    let sname = &sig.struct_name;
    let n = int(sig.n);
    let p = int(sig.flat_params().len());
    let nnz = int(pattern.entries.len());
    let y = syn::Ident::new("y", Span::mixed_site());
    let t = syn::Ident::new("t", Span::mixed_site());
    let core = quote!(::odegen::__private::ode_core);
    let flat = sig.flat_params();
    let jac_body = r.jacobian_body(&flat, pattern.entries.len());
    let p_body = r.param_body(&flat);
    let t_body = r.time_body(&flat);
    quote! {
        #[allow(dead_code)]
        impl #sname {
            /// Writes the Jacobian's structural non-zeros, in the order of
            /// [`Sparsity::PATTERN`](::odegen::Sparsity::PATTERN), into `values`.
            #[allow(unused_variables, unused_mut, clippy::all)]
            #[inline]
            pub fn jacobian_nonzeros(&self, #t: f64, #y: &[f64; #n], values: &mut [f64; #nnz]) {
                #jac_body
            }
        }

        impl #core::Jacobian<#n> for #sname {
            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn jacobian(&self, #t: f64, #y: &[f64; #n], jac: &mut [[f64; #n]; #n]) {
                for row in jac.iter_mut() {
                    row.fill(0.0);
                }
                #core::Jacobian::<#n>::jacobian_into_zeroed(self, #t, #y, jac);
            }

            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn jacobian_into_zeroed(&self, #t: f64, #y: &[f64; #n], jac: &mut [[f64; #n]; #n]) {
                let mut v = [0.0; #nnz];
                self.jacobian_nonzeros(#t, #y, &mut v);
                for (&(i, j), &x) in <Self as #core::Sparsity<#n>>::PATTERN.iter().zip(v.iter()) {
                    jac[i][j] = x;
                }
            }
        }

        impl #core::ParamJacobian<#n, #p> for #sname {
            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn param_jacobian(&self, #t: f64, #y: &[f64; #n], dfdp: &mut [[f64; #p]; #n]) {
                for row in dfdp.iter_mut() {
                    row.fill(0.0);
                }
                #p_body
            }
        }

        impl #core::TimeDerivative<#n> for #sname {
            #[allow(unused_variables, clippy::all)]
            #[inline]
            fn time_derivative(&self, #t: f64, #y: &[f64; #n], dfdt: &mut [f64; #n]) {
                dfdt.fill(0.0);
                #t_body
            }
        }
    }
}

fn dual_impls(sig: &Signature, dual: &syn::Ident) -> TokenStream {
    let sname = &sig.struct_name;
    let n = int(sig.n);
    let p = int(sig.params.len());
    let params = &sig.params;
    let private = quote!(::odegen::__private);
    let core = quote!(#private::ode_core);
    let seeded_params = params.iter().enumerate().map(|(k, q)| {
        let k = int(k);
        quote!(if k == #k { D::new(self.#q, 1.0) } else { D::from(self.#q) })
    });
    quote! {
        impl #core::Jacobian<#n> for #sname {
            #[allow(clippy::all)]
            fn jacobian(&self, t: f64, y: &[f64; #n], jac: &mut [[f64; #n]; #n]) {
                type D = #private::Dual64;
                for j in 0..#n {
                    let mut yd = [D::from(0.0); #n];
                    for i in 0..#n {
                        yd[i] = if i == j { D::new(y[i], 1.0) } else { D::from(y[i]) };
                    }
                    let out = #dual(D::from(t), yd, #( D::from(self.#params) ),*);
                    for i in 0..#n {
                        jac[i][j] = out[i].eps;
                    }
                }
            }
        }

        impl #core::ParamJacobian<#n, #p> for #sname {
            #[allow(clippy::all, unused_variables)]
            fn param_jacobian(&self, t: f64, y: &[f64; #n], dfdp: &mut [[f64; #p]; #n]) {
                type D = #private::Dual64;
                for k in 0..#p {
                    let yd = y.map(D::from);
                    let out = #dual(D::from(t), yd, #( #seeded_params ),*);
                    for i in 0..#n {
                        dfdp[i][k] = out[i].eps;
                    }
                }
            }
        }
    }
}

fn fd_impls(sig: &Signature) -> TokenStream {
    let sname = &sig.struct_name;
    let n = int(sig.n);
    let p = int(sig.flat_params().len());
    let core = quote!(::odegen::__private::ode_core);
    quote! {
        impl #core::Jacobian<#n> for #sname {
            fn jacobian(&self, t: f64, y: &[f64; #n], jac: &mut [[f64; #n]; #n]) {
                #core::finite_diff::colored_jacobian(self, t, y, jac);
            }
        }

        impl #core::ParamJacobian<#n, #p> for #sname {
            fn param_jacobian(&self, t: f64, y: &[f64; #n], dfdp: &mut [[f64; #p]; #n]) {
                #core::finite_diff::param_jacobian(
                    &self.params(),
                    |p, dy| #core::OdeSystem::<#n>::rhs(&Self::from_params(*p), t, y, dy),
                    dfdp,
                );
            }
        }
    }
}

fn events(sig: &Signature, options: &Options) -> TokenStream {
    if options.events.is_empty() {
        return TokenStream::new();
    }
    let vis = &sig.vis;
    let sname = &sig.struct_name;
    let ename = format_ident!("{}Events", sname);
    let n = int(sig.n);
    let m = int(options.events.len());
    let params = &sig.params;
    let core = quote!(::odegen::__private::ode_core);
    let names = options.events.iter().map(|e| e.func.to_string());
    // An event or reset function takes the time and the state, and the system's parameters
    // or none of them: `fn(t, y) -> R` or `fn(t, y, p1, ...) -> R`. A hidden trait with one
    // impl per form picks the form from the function's type (the marker `()` or the struct);
    // a function of neither form is one error at its name in the attribute, naming both.
    let tr = format_ident!("__{}EventFunction", sname, span = Span::mixed_site());
    let sig_text = |ret: &str| {
        let ps: Vec<String> = params
            .iter()
            .zip(&sig.param_lens)
            .map(|(p, len)| match len {
                None => format!(", {p}: f64"),
                Some(m) => format!(", {p}: [f64; {m}]"),
            })
            .collect();
        if ps.is_empty() {
            format!("fn(t: f64, y: [f64; {}]) -> {ret}", sig.n)
        } else {
            format!(
                "fn(t: f64, y: [f64; {n}]) -> {ret}` or `fn(t: f64, y: [f64; {n}]{}) -> {ret}",
                ps.concat(),
                n = sig.n
            )
        }
    };
    let message = format!(
        "`{{Self}}` is not an event or reset function of `{}`",
        sig.name
    );
    let label = format!(
        "an event function is `{}`, a reset function `{}`",
        sig_text("f64"),
        sig_text(&format!("[f64; {}]", sig.n))
    );
    let types = sig.param_types();
    let with_params = if params.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            impl<F: Fn(f64, [f64; #n], #(#types),*) -> R, R> #tr<#sname, R> for F {
                #[inline(always)]
                fn call(&self, t: f64, y: [f64; #n], s: &#sname) -> R {
                    self(t, y, #(s.#params),*)
                }
            }
        }
    };
    let dispatch = quote! {
        #[diagnostic::on_unimplemented(message = #message, label = #label)]
        #[doc(hidden)]
        trait #tr<M, R> {
            fn call(&self, t: f64, y: [f64; #n], s: &#sname) -> R;
        }
        impl<F: Fn(f64, [f64; #n]) -> R, R> #tr<(), R> for F {
            #[inline(always)]
            fn call(&self, t: f64, y: [f64; #n], _s: &#sname) -> R {
                self(t, y)
            }
        }
        #with_params
    };
    let calls = options.events.iter().map(|e| {
        let f = &e.func;
        quote_spanned!(f.span()=> #tr::<_, f64>::call(&#f, t, *y, s))
    });
    let directions = options.events.iter().map(|e| match e.direction {
        EventDirection::Rising => quote!(#core::Direction::Rising),
        EventDirection::Falling => quote!(#core::Direction::Falling),
        EventDirection::Both => quote!(#core::Direction::Both),
    });
    let terminals = options.events.iter().map(|e| match e.terminal {
        Some(k) => {
            let k = proc_macro2::Literal::u32_unsuffixed(k);
            quote!(Some(#k))
        }
        None => quote!(None),
    });
    let actions = options.events.iter().map(|e| match e.action {
        EventActionOpt::Continue => quote!(#core::EventAction::Continue),
        EventActionOpt::Stop => quote!(#core::EventAction::Stop),
        EventActionOpt::ResetState => quote!(#core::EventAction::ResetState),
        EventActionOpt::ResetDerivatives => quote!(#core::EventAction::ResetDerivatives),
    });
    let resets: Vec<TokenStream> = options
        .events
        .iter()
        .enumerate()
        .filter_map(|(k, e)| {
            let r = e.reset.as_ref()?;
            let k = int(k);
            Some(
                quote_spanned!(r.span()=> #k => { *y = #tr::<_, [f64; #n]>::call(&#r, t, *y, s); }),
            )
        })
        .collect();
    let reset = if resets.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            fn reset(&self, k: usize, t: f64, y: &mut [f64; #n]) {
                let s = &self.system;
                match k {
                    #(#resets)*
                    _ => {}
                }
            }
        }
    };
    let doc = format!(
        " The event functions of [`{sname}`]: {}.",
        options
            .events
            .iter()
            .map(|e| format!("`{}`", e.func))
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #dispatch

        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Default)]
        #vis struct #ename {
            /// The system whose parameters the event functions see.
            pub system: #sname,
        }

        #[allow(dead_code)]
        impl #sname {
            /// The system's event functions.
            pub const fn events(&self) -> #ename {
                #ename { system: *self }
            }
        }

        #[allow(dead_code)]
        impl #ename {
            /// The event functions' names, in the order of their values.
            pub const NAMES: [&'static str; #m] = [#(#names),*];
            const DIRECTIONS: [#core::Direction; #m] = [#(#directions),*];
            const TERMINALS: [Option<u32>; #m] = [#(#terminals),*];
            const ACTIONS: [#core::EventAction; #m] = [#(#actions),*];
        }

        impl #core::EventSet<#n, #m> for #ename {
            #[allow(unused_variables)]
            fn values(&self, t: f64, y: &[f64; #n], g: &mut [f64; #m]) {
                let s = &self.system;
                *g = [#(#calls),*];
            }
            fn direction(&self, k: usize) -> #core::Direction {
                Self::DIRECTIONS.get(k).copied().unwrap_or_default()
            }
            fn terminal(&self, k: usize) -> Option<u32> {
                Self::TERMINALS.get(k).copied().flatten()
            }
            fn action(&self, k: usize) -> #core::EventAction {
                Self::ACTIONS.get(k).copied().unwrap_or_default()
            }
            #reset
        }
    }
}

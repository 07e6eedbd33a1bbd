//! The attribute's arguments: `#[ode_system(jacobian = dual, events(hit_ground(direction =
//! falling, terminal), apex))]`.
//!
//! Every option is checked here; an unknown one is an error at its own span that lists the
//! known ones. Errors are collected, not returned at the first.

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitInt, Token};

/// How the Jacobian is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JacobianMode {
    /// Differentiated symbolically at expansion time (the default).
    Symbolic,
    /// Forward-mode automatic differentiation with num-dual over a copy of the function.
    Dual,
    /// Central finite differences grouped by the column colouring.
    FiniteDifference,
}

/// Whether `for` loops are unrolled or kept as loops in the generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopMode {
    /// Kept rolled for systems of at least [`ROLL_MIN_N`](crate::rolled::ROLL_MIN_N)
    /// components where the body allows it, unrolled otherwise (the default).
    Auto,
    /// Kept rolled; a body that cannot stay rolled is an error naming the reason.
    Rolled,
    /// Always unrolled (the generated code then has one statement per non-zero).
    Unrolled,
}

/// The crossing direction named in `direction = ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventDirection {
    Rising,
    Falling,
    Both,
}

/// The action named in `action = ...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventActionOpt {
    Continue,
    Stop,
    ResetState,
    ResetDerivatives,
}

/// One event function declared in `events(...)`.
#[derive(Debug, Clone)]
pub struct EventDecl {
    /// The function `g(t, y, params...) -> f64` declared beside the system.
    pub func: Ident,
    pub direction: EventDirection,
    /// `Some(n)`: stop at the `n`-th occurrence.
    pub terminal: Option<u32>,
    pub action: EventActionOpt,
    /// A function `(t, y, params...) -> [f64; N]` giving the state after the event.
    pub reset: Option<Ident>,
}

/// Everything the attribute says.
#[derive(Debug, Clone)]
pub struct Options {
    pub jacobian: JacobianMode,
    pub loops: LoopMode,
    pub events: Vec<EventDecl>,
}

const KNOWN_OPTIONS: &str =
    "`jacobian = symbolic | dual | fd`, `loops = auto | rolled | unrolled` and `events(...)`";
const KNOWN_EVENT_OPTIONS: &str = "`direction = rising | falling | both`, `terminal`, \
     `terminal = <count>`, `action = continue | stop | reset_state | reset_derivatives` and \
     `reset = <function>`";

/// Parses the attribute's tokens, pushing every problem found into `errors`.
pub fn parse(attr: TokenStream, errors: &mut Vec<syn::Error>) -> Options {
    let mut options = Options {
        jacobian: JacobianMode::Symbolic,
        loops: LoopMode::Auto,
        events: Vec::new(),
    };
    let parser = |input: ParseStream| -> syn::Result<()> {
        let mut seen_jacobian = false;
        let mut seen_events = false;
        let mut seen_loops = false;
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "jacobian" => {
                    input.parse::<Token![=]>()?;
                    let value: Ident = input.parse()?;
                    if seen_jacobian {
                        errors.push(syn::Error::new(key.span(), "`jacobian` is given twice"));
                    }
                    seen_jacobian = true;
                    options.jacobian = match value.to_string().as_str() {
                        "symbolic" => JacobianMode::Symbolic,
                        "dual" => JacobianMode::Dual,
                        "fd" => JacobianMode::FiniteDifference,
                        other => {
                            errors.push(syn::Error::new(
                                value.span(),
                                format!(
                                    "unknown Jacobian mode `{other}`; expected `symbolic` \
                                     (the default), `dual` (forward-mode automatic \
                                     differentiation with num-dual) or `fd` (finite \
                                     differences)"
                                ),
                            ));
                            JacobianMode::Symbolic
                        }
                    };
                }
                "loops" => {
                    input.parse::<Token![=]>()?;
                    let value: Ident = input.parse()?;
                    if seen_loops {
                        errors.push(syn::Error::new(key.span(), "`loops` is given twice"));
                    }
                    seen_loops = true;
                    options.loops = match value.to_string().as_str() {
                        "auto" => LoopMode::Auto,
                        "rolled" => LoopMode::Rolled,
                        "unrolled" => LoopMode::Unrolled,
                        other => {
                            errors.push(syn::Error::new(
                                value.span(),
                                format!(
                                    "unknown loop mode `{other}`; expected `auto` (the \
                                     default: loops stay loops in large systems), `rolled` or \
                                     `unrolled`"
                                ),
                            ));
                            LoopMode::Auto
                        }
                    };
                }
                "events" => {
                    if seen_events {
                        errors.push(syn::Error::new(key.span(), "`events` is given twice"));
                    }
                    seen_events = true;
                    let content;
                    syn::parenthesized!(content in input);
                    parse_events(&content, &mut options.events, errors)?;
                }
                other => {
                    errors.push(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown option `{other}` of `#[ode_system]`; the options are \
                             {KNOWN_OPTIONS}"
                        ),
                    ));
                    skip_value(input)?;
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(e) = parser.parse2(attr) {
        errors.push(e);
    }
    options
}

/// Skips `= value` or `(...)` after an unknown key so parsing can go on.
fn skip_value(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        while !input.is_empty() && !input.peek(Token![,]) {
            input.parse::<proc_macro2::TokenTree>()?;
        }
    } else if input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in input);
    }
    Ok(())
}

fn parse_events(
    input: ParseStream,
    events: &mut Vec<EventDecl>,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<()> {
    while !input.is_empty() {
        let func: Ident = input.parse()?;
        if events.iter().any(|e| e.func == func) {
            errors.push(syn::Error::new(
                func.span(),
                format!("event function `{func}` is declared twice"),
            ));
        }
        let mut decl = EventDecl {
            func,
            direction: EventDirection::Both,
            terminal: None,
            action: EventActionOpt::Continue,
            reset: None,
        };
        let mut explicit_action = None::<Span>;
        if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let items = Punctuated::<EventOpt, Token![,]>::parse_terminated(&content)?;
            for item in items {
                let key = item.key.to_string();
                let value = item.value.as_ref().map(|v| v.to_string());
                match (key.as_str(), &item.value, &item.count) {
                    ("direction", Some(v), None) => {
                        decl.direction = match value.as_deref() {
                            Some("rising") => EventDirection::Rising,
                            Some("falling") => EventDirection::Falling,
                            Some("both") => EventDirection::Both,
                            _ => {
                                errors.push(syn::Error::new(
                                    v.span(),
                                    "expected `rising`, `falling` or `both`",
                                ));
                                EventDirection::Both
                            }
                        }
                    }
                    ("terminal", None, None) => decl.terminal = Some(1),
                    ("terminal", None, Some(n)) => match n.base10_parse::<u32>() {
                        Ok(0) | Err(_) => errors.push(syn::Error::new(
                            n.span(),
                            "`terminal = n` needs a count n ≥ 1",
                        )),
                        Ok(n) => decl.terminal = Some(n),
                    },
                    ("action", Some(v), None) => {
                        explicit_action = Some(v.span());
                        decl.action = match value.as_deref() {
                            Some("continue") => EventActionOpt::Continue,
                            Some("stop") => EventActionOpt::Stop,
                            Some("reset_state") => EventActionOpt::ResetState,
                            Some("reset_derivatives") => EventActionOpt::ResetDerivatives,
                            _ => {
                                errors.push(syn::Error::new(
                                    v.span(),
                                    "expected `continue`, `stop`, `reset_state` or \
                                     `reset_derivatives`",
                                ));
                                EventActionOpt::Continue
                            }
                        }
                    }
                    ("reset", Some(v), None) => decl.reset = Some(v.clone()),
                    _ => errors.push(syn::Error::new(
                        item.key.span(),
                        format!(
                            "unknown or malformed event option `{key}`; the options are \
                             {KNOWN_EVENT_OPTIONS}"
                        ),
                    )),
                }
            }
        }
        if decl.reset.is_some() {
            match (explicit_action, decl.action) {
                (None, _) => decl.action = EventActionOpt::ResetState,
                (Some(_), EventActionOpt::ResetState) => {}
                (Some(span), _) => errors.push(syn::Error::new(
                    span,
                    "an event with `reset = ...` has the action `reset_state`",
                )),
            }
        } else if decl.action == EventActionOpt::ResetState {
            errors.push(syn::Error::new(
                explicit_action.unwrap_or_else(|| decl.func.span()),
                "`action = reset_state` needs `reset = <function>` giving the new state",
            ));
        }
        events.push(decl);
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

/// `key`, `key = ident` or `key = 3`.
struct EventOpt {
    key: Ident,
    value: Option<Ident>,
    count: Option<LitInt>,
}

impl syn::parse::Parse for EventOpt {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        let (mut value, mut count) = (None, None);
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if input.peek(LitInt) {
                count = Some(input.parse()?);
            } else {
                value = Some(input.parse()?);
            }
        }
        Ok(EventOpt { key, value, count })
    }
}

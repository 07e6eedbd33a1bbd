//! The root cause of the large-`N` start failures, checked on the machine code itself.
//!
//! A function whose frame exceeds 32 KiB gets an inline stack-probe loop on x86-64 (LLVM's
//! `probe-stack=inline-asm`, which Rust uses): `mov %rsp,%r11; sub $size,%r11; 1: sub
//! $0x1000,%rsp; movq $0,(%rsp); cmp %r11,%rsp; jne 1b`, with `r11` as its scratch register.
//! Shrink-wrapping may place that prologue after code that already runs; when such code left
//! a live value in `r11`, the probe destroys it. In `Radau5::new`, `AdaptiveRadau::new` and
//! `Bdf::new` that code was the check of the settings, the value `first_step`'s tag, and the
//! steppers started from `Some(0.0)`: a zero first step from `N ≈ 80` on (their frames held a
//! whole stepper), in optimised builds only, and only where inlining happened to arrange the
//! code so — a rebuild after an unrelated change could hide or show it.
//!
//! The fix keeps every check out of a frame that holds a stepper (the constructors build the
//! stepper first and start it by a call that is never inlined). This test disassembles its own
//! optimised binary, which instantiates every implicit stepper at sizes `1..=300` and larger,
//! and finds no function of odegen's in which `r11` is read after such a probe loop before
//! being written again — a value the compiler believed survived the probe. It needs `objdump`
//! (GNU binutils) and an x86-64 binary; elsewhere it says so and checks nothing.

use std::process::Command;

/// Functions (demangled names) in which `r11` is live across an inline stack-probe loop.
fn probe_clobbers(disassembly: &str) -> Vec<String> {
    let mut suspects = Vec::new();
    let mut name = String::new();
    let mut body: Vec<&str> = Vec::new();
    let mut check = |name: &str, body: &[&str]| {
        if name.is_empty() {
            return;
        }
        let ins: Vec<(&str, &str)> = body
            .iter()
            .filter_map(|l| {
                let text = l.rsplit('\t').next()?.trim();
                let mut parts = text.splitn(2, char::is_whitespace);
                Some((parts.next()?, parts.next().unwrap_or("").trim()))
            })
            .collect();
        for (i, &(op, args)) in ins.iter().enumerate() {
            if !(op == "mov" && args == "%rsp,%r11") {
                continue;
            }
            let used_before = ins[..i].iter().any(|(_, a)| a.contains("%r11"));
            let Some(end) = ins[i..]
                .iter()
                .position(|&(op, a)| op == "cmp" && a == "%r11,%rsp")
                .map(|k| i + k)
            else {
                continue;
            };
            // The first instruction after the loop's branch that names r11: a read (r11 as a
            // source, or inside an address) means the compiler expected an older value there.
            let read_after = ins[end + 2..]
                .iter()
                .find(|(_, a)| a.contains("%r11"))
                .is_some_and(|&(op, a)| {
                    let (src, dst) = a.rsplit_once(',').unwrap_or(("", a));
                    let zeroing = op.starts_with("xor") && src == dst;
                    !zeroing
                        && (src.contains("%r11") || (dst.contains('(') && dst.contains("%r11")))
                });
            if used_before && read_after {
                suspects.push(name.to_string());
            }
        }
    };
    for line in disassembly.lines() {
        if let Some(rest) = line.strip_suffix(">:") {
            check(&name, &body);
            body.clear();
            name = rest
                .split_once(" <")
                .map(|(_, n)| n.to_string())
                .unwrap_or_default();
        } else {
            body.push(line);
        }
    }
    check(&name, &body);
    suspects
}

/// The scanner flags the defect as it was: the prologue of `Bdf::new` (from the optimised
/// example that failed, `objdump -d`), where the settings check loaded `first_step`'s tag into
/// `r11`, the probe loop reused `r11`, and the tag was then stored from it; and passes the same
/// code with the tag kept in another register.
#[test]
fn the_scanner_finds_the_clobber_it_guards_against() {
    let defect = "\
0000000000076c00 <ode_core::implicit::bdf::Bdf<Sys,_,S>::new>:
   76d2c:\tmov    0x330(%rcx),%r11
   76d33:\tcmp    $0x1,%r11
   76de3:\tpush   %rbp
   76ded:\tmov    %rsp,%r11
   76df0:\tsub    $0x29000,%r11
   76df7:\tsub    $0x1000,%rsp
   76dfe:\tmovq   $0x0,(%rsp)
   76e06:\tcmp    %r11,%rsp
   76e09:\tjne    76df7 <ode_core::implicit::bdf::Bdf<Sys,_,S>::new+0x1f7>
   76e0b:\tsub    $0xe08,%rsp
   76e12:\tmov    %r11,0x68(%rsp)
   76e17:\tmov    (%rcx),%r8
";
    assert_eq!(
        probe_clobbers(defect),
        vec!["ode_core::implicit::bdf::Bdf<Sys,_,S>::new".to_string()]
    );
    let sound = defect
        .replace("0x330(%rcx),%r11", "0x330(%rcx),%r10")
        .replace("$0x1,%r11", "$0x1,%r10")
        .replace("mov    %r11,0x68(%rsp)", "mov    %r10,0x68(%rsp)");
    assert!(probe_clobbers(&sound).is_empty());
}

#[test]
fn no_stack_probe_clobbers_a_live_register_in_the_steppers() {
    // Instantiate the steppers at sizes with frames past 32 KiB in this binary, through
    // `solve_ivp` and directly.
    large_frames();
    if !cfg!(target_arch = "x86_64") {
        println!("note: not x86-64; the stack-probe scan checks nothing here");
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let Ok(out) = Command::new("objdump")
        .args(["-d", "--no-show-raw-insn", "-C"])
        .arg(&exe)
        .output()
    else {
        println!("note: no objdump on this machine; the stack-probe scan checks nothing here");
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let probed = text.matches("cmp    %r11,%rsp").count();
    assert!(
        probed > 0,
        "no inline stack probe in the binary: the scan would check nothing"
    );
    let ours: Vec<String> = probe_clobbers(&text)
        .into_iter()
        .filter(|n| n.contains("ode_core") || n.contains("odegen"))
        .collect();
    assert!(
        ours.is_empty(),
        "r11 live across a stack probe in: {ours:#?}"
    );
    println!("{probed} inline stack probes scanned, none clobbers a live r11");
}

/// Builds and runs the implicit steppers on systems with large frames (`N = 120, 300`).
fn large_frames() {
    use odegen::prelude::*;
    struct Decay;
    impl<const N: usize> OdeSystem<N> for Decay {
        fn rhs(&self, _t: f64, y: &[f64; N], dy: &mut [f64; N]) {
            for i in 0..N {
                dy[i] = -y[i];
            }
        }
    }
    fn run<const N: usize>() {
        for method in Method::implicit() {
            let sol = solve_ivp(
                &Decay,
                (0.0, 1.0),
                [1.0; N],
                Options::new(method).rtol(1e-6),
            )
            .and_then(|s| s.into_result())
            .unwrap_or_else(|e| panic!("N = {N}, {method}: {e}"));
            let y = sol.y.last().unwrap()[N - 1];
            assert!((y - (-1.0f64).exp()).abs() < 1e-4, "N = {N}, {method}: {y}");
        }
    }
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(|| {
            run::<120>();
            run::<300>();
        })
        .unwrap()
        .join()
        .unwrap();
}

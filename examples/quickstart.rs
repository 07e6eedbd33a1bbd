use odegen::prelude::*;

/// Van der Pol's oscillator: stiff for large μ.
#[ode_system]
fn van_der_pol(_t: f64, [x, v]: [f64; 2], mu: f64) -> [f64; 2] {
    [v, mu * (1.0 - x * x) * v - x]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let vdp = VanDerPol { mu: 1000.0 };
    let options = Options::new(Method::Radau).rtol(1e-6).atol(1e-6);
    let sol = solve_ivp(&vdp, (0.0, 2000.0), [2.0, 0.0], options)?;
    println!("{sol}"); // status, counters, final state
    let mut csv = String::new();
    sol.write_csv(&mut csv)?; // t,y0,y1 per output point
    std::fs::write("van_der_pol.csv", csv)?;
    Ok(())
}

//! Evidence read from a series retention thinned: the burst stays visible as the peak rate of
//! the merged interval that holds it.

use rules::evidence::growth;
use rules::model::{CounterSample, Host};
use rules::retention::bound;
use rules::timeline;

use model::test_series::{at, long_tap};

/// Pushes samples one at a time, as the assembler does, then computes the timeline.
fn streamed(samples: Vec<CounterSample>) -> Host {
    let mut host = Host::new("synthetic");
    for s in samples {
        host.interface_mut("tap0", None).samples.push(s);
        bound(&mut host);
    }
    timeline::compute(&mut host);
    host
}

#[test]
fn growth_of_a_thinned_series_keeps_the_burst_peak() {
    let host = streamed(long_tap(4000));
    let kept = &host.interfaces[0].deltas;
    assert!(!host.thinned.is_empty(), "the series was thinned");
    // The burst: 5 000 drops in 5 s = 1 000/s, inside an interval that merged several.
    let burst = kept
        .iter()
        .find(|iv| iv.start <= at(5 * 776) && iv.end >= at(5 * 777))
        .unwrap();
    assert!(burst.merged > 1);
    let g = growth(kept, &["tx_dropped"], &["tx_packets"]).unwrap();
    assert_eq!(g.peak_rate, Some(1_000.0));
}

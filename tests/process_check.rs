//! Comparison warns when its two snapshots look like two processes (the same
//! ids name other objects), and stays quiet for snapshots of one process.

mod common;

use common::{generate, open};
use heaplens::analysis::diff;

fn warnings(base: &std::path::Path, current: &std::path::Path) -> Vec<String> {
    let (base, current) = (open(base), open(current));
    let data = diff::diff_base(&base.snapshot, &current.snapshot.classes.interfaces);
    diff::warnings(&data, &current.snapshot)
}

#[test]
fn comparing_snapshots_of_two_programs_warns_that_they_are_two_processes() {
    let leak = generate("classic-leak", 3);
    let other = generate("mixed-heap", 1);
    let reverse = warnings(&leak[2], &other[0]);
    println!("reverse: {reverse:?}");
    let found = warnings(&other[0], &leak[2]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .starts_with("The base and this snapshot look like snapshots of different processes: "),
        "{found:?}"
    );
}

#[test]
fn comparing_snapshots_of_one_process_gives_no_warning() {
    let leak = generate("classic-leak", 3);
    assert_eq!(warnings(&leak[0], &leak[2]), Vec::<String>::new());
    assert_eq!(warnings(&leak[2], &leak[2]), Vec::<String>::new());
}

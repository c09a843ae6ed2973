//! Valid but hostile snapshots, written by hand: objects whose class names
//! are chosen by the test (terminal escapes, bidi overrides, a name of
//! 100 MiB), in V8's own layout.

#![allow(dead_code)] // each test binary uses its own part

use std::io::Write;
use std::path::{Path, PathBuf};

/// The header of every hostile snapshot: V8's meta with `nodes` objects
/// (plus the root) and one edge per object.
fn header(objects: usize) -> String {
    format!(
        r#"{{"snapshot":{{"meta":{{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],"string","number","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],"location_fields":["object_index","script_id","line","column"]}},"node_count":{},"edge_count":{objects},"extra_native_bytes":0}},
"nodes":["#,
        objects + 1
    )
}

/// Writes a snapshot whose root holds one object of each class name in
/// `names` (ids 3, 5, 7…, 16 bytes each, string `i + 1` names object `i`);
/// `write_name` writes name `i`'s JSON string body, so a huge one never
/// has to be held in memory.
fn write_snapshot(
    out: &mut impl Write,
    count: usize,
    mut write_name: impl FnMut(&mut dyn Write, usize) -> std::io::Result<()>,
) -> std::io::Result<()> {
    out.write_all(header(count).as_bytes())?;
    write!(out, "9,0,1,0,{count},0,0")?;
    for i in 0..count {
        write!(out, "\n,3,{},{},16,0,0,0", i + 1, 2 * i + 3)?;
    }
    out.write_all(b"],\n\"edges\":[")?;
    for i in 0..count {
        let sep = if i == 0 { "" } else { "\n," };
        write!(out, "{sep}1,{i},{}", 7 * (i + 1))?;
    }
    out.write_all(b"],\n\"locations\":[],\n\"strings\":[\"\"")?;
    for i in 0..count {
        out.write_all(b",\n\"")?;
        write_name(out, i)?;
        out.write_all(b"\"")?;
    }
    out.write_all(b"]}\n")
}

/// A snapshot with one object per class name in `names`.
pub fn snapshot_with_classes(names: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_snapshot(&mut bytes, names.len(), |out, i| {
        let quoted = serde_json::to_string(names[i]).expect("a string is JSON");
        out.write_all(&quoted.as_bytes()[1..quoted.len() - 1])
    })
    .expect("writing to memory");
    bytes
}

/// Bytes in the huge class name of [`write_huge_name_snapshot`]: 100 MiB.
pub const HUGE_NAME_LEN: usize = 100 << 20;

/// Writes `dir/huge-name.heapsnapshot`: an object of class `Small` and one
/// whose class name is [`HUGE_NAME_LEN`] times `A`.
pub fn write_huge_name_snapshot(dir: &Path) -> PathBuf {
    let path = dir.join("huge-name.heapsnapshot");
    let file = std::fs::File::create(&path).expect("creating the huge snapshot");
    let mut out = std::io::BufWriter::new(file);
    write_snapshot(&mut out, 2, |out, i| {
        if i == 0 {
            return out.write_all(b"Small");
        }
        let block = [b'A'; 1 << 16];
        for _ in 0..HUGE_NAME_LEN / block.len() {
            out.write_all(&block)?;
        }
        Ok(())
    })
    .expect("writing the huge snapshot");
    out.flush().expect("writing the huge snapshot");
    path
}

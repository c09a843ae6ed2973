//! The retainer graph of one object: its retaining paths merged where they
//! share nodes, bounded, laid out left to right, recomputed when a retainer
//! is ignored, and written as SVG; on the last snapshot of the growing
//! collections server, whose newest cached response is held by two Maps
//! (the unbounded cache and the LRU map) of one module scope.

mod common;

use common::{generate, with_session};
use heaplens::analysis::distances::distances;
use heaplens::analysis::retainer_graph::{
    retainer_graph, to_svg, xml_escape, Limits, RetainerGraph,
};
use heaplens::analysis::HeapSnapshot;

/// Runs `f` on the last snapshot of the series.
fn with_snapshot<R>(f: impl FnOnce(&HeapSnapshot) -> R) -> R {
    let file = generate("growing-collections", 4).remove(3);
    with_session(&file, |session| f(&session.snapshot))
}

/// A `CachedResponse` held by both `responseCache` and `recent` (the LRU
/// map keeps the last 20).
fn response_in_both_maps(s: &HeapSnapshot) -> usize {
    let g = &s.graph;
    let target = |n: usize, name: &str| {
        g.edges(n)
            .find(|&e| g.edge_name_str(e) == Some(name))
            .map(|e| g.edge_to[e] as usize)
    };
    let recent = (0..g.node_count())
        .find_map(|n| target(n, "recent").filter(|&m| g.name(m) == "Map"))
        .expect("the module scope holds `recent`");
    let table = target(recent, "table").expect("a Map has a table");
    g.edges(table)
        .map(|e| g.edge_to[e] as usize)
        .find(|&n| s.classes.class_name(n) == "CachedResponse")
        .expect("`recent` holds responses")
}

fn edge_names(graph: &RetainerGraph) -> Vec<&str> {
    graph.edges.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn both_maps_holding_a_response_meet_in_one_module_scope_node() {
    with_snapshot(|s| {
        let target = response_in_both_maps(s);
        let graph = retainer_graph(s, target, &s.distances, &Limits::default());
        let names = edge_names(&graph);
        assert!(names.contains(&"responseCache"), "{names:?}");
        assert!(names.contains(&"recent"), "{names:?}");
        // One context node holds both Maps: the paths are merged there.
        let holders: Vec<u32> = graph
            .edges
            .iter()
            .filter(|e| e.name == "responseCache" || e.name == "recent")
            .map(|e| e.from)
            .collect();
        assert_eq!(holders.len(), 2);
        assert_eq!(holders[0], holders[1]);
        assert_eq!(graph.nodes[holders[0] as usize].name, "system / Context");
        // The object is in the last column; every node is on a path from a root.
        let object = &graph.nodes[0];
        assert_eq!(
            (object.id, object.x),
            (s.graph.node_id[target], graph.columns - 1)
        );
        assert!(graph.nodes.iter().any(|n| n.root));
        for (i, _) in graph.nodes.iter().enumerate().skip(1) {
            assert!(
                graph.edges.iter().any(|e| e.from == i as u32),
                "node {i} holds nothing"
            );
        }
        // Each column's rows are 0..k.
        for x in 0..graph.columns {
            let mut rows: Vec<u32> = graph
                .nodes
                .iter()
                .filter(|n| n.x == x)
                .map(|n| n.y)
                .collect();
            rows.sort();
            assert_eq!(rows, (0..rows.len() as u32).collect::<Vec<_>>());
        }
        assert!(!graph.limits_reached.depth && !graph.limits_reached.nodes);
    });
}

#[test]
fn ignoring_the_lru_map_takes_its_path_out() {
    with_snapshot(|s| {
        let target = response_in_both_maps(s);
        let full = retainer_graph(s, target, &s.distances, &Limits::default());
        let recent = full.edges.iter().find(|e| e.name == "recent").unwrap().to;
        let recent = s
            .node_by_id(heaplens::snapshot::NodeId(full.nodes[recent as usize].id))
            .unwrap();
        let mut ignored = vec![false; s.graph.node_count()];
        ignored[recent] = true;
        let d = distances(&s.graph, &s.ephemerons, Some(&ignored));
        let graph = retainer_graph(s, target, &d, &Limits::default());
        let names = edge_names(&graph);
        assert!(names.contains(&"responseCache"), "{names:?}");
        assert!(!names.contains(&"recent"), "{names:?}");
        assert!(graph.nodes.len() < full.nodes.len());
    });
}

#[test]
fn the_sibling_and_depth_limits_cut_the_graph_and_say_so() {
    with_snapshot(|s| {
        let target = response_in_both_maps(s);
        let one = Limits {
            max_siblings: 1,
            ..Limits::default()
        };
        let graph = retainer_graph(s, target, &s.distances, &one);
        assert!(graph.limits_reached.siblings);
        // The response has at least two retainers (the two Maps' tables).
        assert!(graph.nodes[0].hidden_retainers >= 1, "{:?}", graph.nodes[0]);
        let expanded = Limits {
            expanded: vec![target],
            ..one
        };
        let graph = retainer_graph(s, target, &s.distances, &expanded);
        assert_eq!(graph.nodes[0].hidden_retainers, 0);
        let shallow = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let graph = retainer_graph(s, target, &s.distances, &shallow);
        assert!(graph.limits_reached.depth);
        assert_eq!((graph.nodes.len(), graph.edges.len()), (1, 0));
    });
}

#[test]
fn the_svg_draws_every_node_and_edge_with_names_escaped() {
    with_snapshot(|s| {
        let target = response_in_both_maps(s);
        let graph = retainer_graph(s, target, &s.distances, &Limits::default());
        let svg = to_svg(&graph);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<g class=\"node\"").count(), graph.nodes.len());
        assert_eq!(svg.matches("<g class=\"edge\"").count(), graph.edges.len());
        assert!(svg.contains(&format!("data-id=\"{}\"", graph.nodes[0].id)));
        assert!(svg.contains(">responseCache</text>"));
        assert_eq!(
            xml_escape("<img src=x onerror=\"a&b\">'\u{1}\u{202e}\u{ffff}"),
            "&lt;img src=x onerror=&quot;a&amp;b&quot;&gt;&#39;\\x01\\u202e\u{fffd}"
        );
    });
}

//! Malformed files that are `TINY` (tests/malformed.rs) with one edit, and
//! the message each must be rejected with: one table, so the parser test
//! and the CLI test read the same cases.

/// One edit of TINY and the message the file must then be rejected with:
/// `case` says what the edit breaks.
pub struct Edit {
    pub case: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub message: &'static str,
}

/// Every malformed file that is TINY with one edit.
pub const EDITS: &[Edit] = &[
    Edit {
        case: "node_fields_without_self_size_are_rejected",
        from: r#""self_size","#,
        to: r#""shallow_size","#,
        message: "snapshot.meta.node_fields has no \"self_size\" field: cannot read nodes",
    },
    Edit {
        case: "node_fields_without_self_size_are_rejected",
        from: r#""to_node""#,
        to: r#""target""#,
        message: "snapshot.meta.edge_fields has no \"to_node\" field: cannot read edges",
    },
    Edit {
        case: "node_fields_without_self_size_are_rejected",
        from: r#""name","id""#,
        to: r#""name","name""#,
        message: "snapshot.meta.node_fields lists \"name\" twice",
    },
    Edit {
        case: "header_counts_that_cannot_be_right_are_rejected",
        from: r#""node_count":4"#,
        to: r#""node_count":0"#,
        message: "snapshot.node_count is 0: a heap snapshot has at least its root node",
    },
    Edit {
        case: "header_counts_that_cannot_be_right_are_rejected",
        from: r#""edge_count":5"#,
        to: r#""edge_count":5,"root_index":7"#,
        message: "snapshot.root_index is 7: heaplens expects the root to be the first node",
    },
    Edit {
        case: "nodes_not_matching_node_count_times_fields_are_rejected",
        from: r#""node_count":4"#,
        to: r#""node_count":5"#,
        message: "nodes holds 4 nodes but node_count says 5: the header and the data disagree",
    },
    Edit {
        case: "nodes_not_matching_node_count_times_fields_are_rejected",
        from: r#""node_count":4"#,
        to: r#""node_count":3"#,
        message: "nodes has more values than node_count (3) × 7 fields: the header and the data disagree",
    },
    Edit {
        case: "nodes_not_matching_node_count_times_fields_are_rejected",
        from: ",3,3,7,16,1,0,0]",
        to: ",3,3,7,16,1,0]",
        message: "in \"nodes\": 27 values do not make whole rows",
    },
    Edit {
        case: "nodes_not_matching_node_count_times_fields_are_rejected",
        from: r#""edge_count":5"#,
        to: r#""edge_count":6"#,
        message: "edges holds 5 edges but edge_count says 6: the header and the data disagree",
    },
    Edit {
        case: "edge_counts_not_adding_up_to_edge_count_are_rejected",
        from: "[9,0,1,0,2,0,0",
        to: "[9,0,1,0,1,0,0",
        message: "the nodes' edge counts add up to 4, but edge_count is 5: the header and the data disagree",
    },
    Edit {
        case: "edge_counts_not_adding_up_to_edge_count_are_rejected",
        from: ",3,3,7,16,1,0,0]",
        to: ",3,3,7,16,2,0,0]",
        message: "node 3 (nodes[25]) has edge_count = 2: more edges than edge_count (5) allows: the header and the data disagree",
    },
    Edit {
        case: "edge_to_a_node_past_the_last_is_rejected",
        from: ",2,4,14]",
        to: ",2,4,28]",
        message: "edge 4 points to node index 28, past the last node (node_count is 4): the file is truncated or corrupt",
    },
    Edit {
        case: "edge_to_node_between_rows_is_rejected",
        from: ",1,1,21",
        to: ",1,1,22",
        message: "edge 1 points to node index 22, not a multiple of the 7 node fields",
    },
    Edit {
        case: "string_index_past_the_string_table_is_rejected",
        from: ",3,3,3,16,2,0,0",
        to: ",3,9,3,16,2,0,0",
        message: "node 1 names string 9, but there are only 6 strings: the file is corrupt",
    },
    Edit {
        case: "string_index_past_the_string_table_is_rejected",
        from: ",2,5,21",
        to: ",2,60,21",
        message: "edge 3 names string 60, but there are only 6 strings",
    },
    Edit {
        case: "node_type_outside_node_types_is_rejected",
        from: ",2,2,5,24,0,0,0",
        to: ",15,2,5,24,0,0,0",
        message: "node 2 (nodes[14]) has type = 15: a type index outside node_types (which has 15 types)",
    },
    Edit {
        case: "node_type_outside_node_types_is_rejected",
        from: ",2,4,14\n,",
        to: ",7,4,14\n,",
        message: "edge 2 has type 7, outside edge_types (which has 7 types)",
    },
    Edit {
        case: "numbers_too_large_for_their_field_are_rejected",
        from: ",2,2,5,24,0,0,0",
        to: ",2,2,5,99999999999,0,0,0",
        message: "node 2 (nodes[17]) has self_size = 99999999999: too large for its field",
    },
    Edit {
        case: "numbers_too_large_for_their_field_are_rejected",
        from: ",2,2,5,24,0,0,0",
        to: ",2,2,5,24,0,0,3",
        message: "node 2 (nodes[20]) has detachedness = 3: too large for its field",
    },
    Edit {
        case: "numbers_too_large_for_their_field_are_rejected",
        from: ",2,2,5,24,0,0,0",
        to: ",2,2,5,123456789012345678901,0,0,0",
        message: "in \"nodes\": value 17 is a number too large for any field",
    },
    Edit {
        case: "twenty_digit_number_is_rejected_without_overflowing",
        from: ",2,2,5,24,",
        to: ",2,2,5,99999999999999999999,",
        message: "in \"nodes\": value 17 is a number too large for any field",
    },
    Edit {
        case: "twenty_digit_number_is_rejected_without_overflowing",
        from: ",1,1,21",
        to: ",1,1,99999999999999999999",
        message: "in \"edges\": value 5 is a number too large for any field",
    },
    Edit {
        case: "name_or_index_too_large_names_the_edge_it_is_in",
        from: ",2,4,14\n,",
        to: ",2,4294967296,14\n,",
        message: "edge 2 has name_or_index 4294967296: too large for its field",
    },
    Edit {
        case: "numbers_that_are_negative_or_not_integers_are_rejected",
        from: ",2,2,5,24,",
        to: ",2,2,5,-24,",
        message: "in \"nodes\": value 17 is negative; fields are unsigned",
    },
    Edit {
        case: "numbers_that_are_negative_or_not_integers_are_rejected",
        from: ",2,2,5,24,",
        to: ",2,2,5,24.5,",
        message: "in \"nodes\": value 17 (24.…) is not an integer",
    },
    Edit {
        case: "numbers_that_are_negative_or_not_integers_are_rejected",
        from: ",2,4,14]",
        to: ",2,4,14,]",
        message: "in \"edges\": a ',' right before ']'",
    },
    Edit {
        case: "numbers_that_are_negative_or_not_integers_are_rejected",
        from: ",1,1,21",
        to: ",1,,1,21",
        message: "a ',' with no number before it",
    },
    Edit {
        case: "numbers_that_are_negative_or_not_integers_are_rejected",
        from: ",1,1,21",
        to: ",1,1 21",
        message: "expected ',' between numbers",
    },
    Edit {
        case: "numbers_that_are_negative_or_not_integers_are_rejected",
        from: r#""nodes":["#,
        to: r#""nodes":{"#,
        message: "\"nodes\" must be an array, found '{'",
    },
    Edit {
        case: "invalid_escapes_inside_a_string_are_rejected",
        from: r#""Point""#,
        to: r#""Po\xnt""#,
        message: "in \"strings\": string 3 has an invalid escape: \\x",
    },
    Edit {
        case: "invalid_escapes_inside_a_string_are_rejected",
        from: r#""Point""#,
        to: r#""Po\u12G4""#,
        message: "string 3 has an invalid escape: \\u with non-hex digit 'G'",
    },
    Edit {
        case: "invalid_escapes_inside_a_string_are_rejected",
        from: r#""Point""#,
        to: "\"Po\nint\"",
        message: "string 3 has a raw control character (must be escaped)",
    },
    Edit {
        case: "invalid_escapes_inside_a_string_are_rejected",
        from: r#""x","#,
        to: r#""x" "#,
        message: "expected a string, ',' or ']' after string 5 but found '\"'",
    },
    Edit {
        case: "missing_sections_are_named",
        from: "\"edges\":[",
        to: "\"edgez\":[",
        message: "the snapshot has no \"edges\" section",
    },
    Edit {
        case: "missing_sections_are_named",
        from: "\"strings\":[",
        to: "\"strongs\":[",
        message: "the snapshot has no \"strings\" section",
    },
    Edit {
        case: "missing_sections_are_named",
        from: "\"locations\":[7,",
        to: "\"locations\":[8,",
        message: "location 0 points to node index 8, which is not a node",
    },
    Edit {
        case: "skipped_sections_must_still_be_valid_json",
        from: "\"locations\":[",
        to: "\"samples\":[}],\"locations\":[",
        message: "in \"samples\": a closing bracket does not match its opening one: this is not valid JSON",
    },
    Edit {
        case: "header_counts_beyond_what_heaplens_can_index_state_the_limit",
        from: r#""node_count":4"#,
        to: r#""node_count":300000000"#,
        message: "snapshot.node_count is 300000000: more nodes than heaplens can index (at most 268435455)",
    },
    Edit {
        case: "header_counts_beyond_what_heaplens_can_index_state_the_limit",
        from: r#""edge_count":5"#,
        to: r#""edge_count":99999999999"#,
        message: "more edges than heaplens can index (at most 4294967294)",
    },
];

//! What turns a hang or a runaway allocation into a finding instead of a
//! stuck or swapping machine: a counting allocator with a per-execution
//! ceiling, and a watchdog thread. Either one writes the input being run
//! to a file and aborts the process, since neither can unwind.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The system allocator, counting live bytes and aborting with a report
/// past the ceiling of the current execution.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CEILING: AtomicUsize = AtomicUsize::new(usize::MAX);
static TRIPPED: AtomicBool = AtomicBool::new(false);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grow(new_size - layout.size());
        }
        let moved = System.realloc(ptr, layout, new_size);
        if moved.is_null() {
            LIVE.fetch_sub(new_size.saturating_sub(layout.size()), Relaxed);
        } else if new_size < layout.size() {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        moved
    }
}

/// Counts `bytes` more. Past the ceiling the first time, reports and
/// aborts; a nested allocation made while reporting goes through.
fn grow(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    if live > CEILING.load(Relaxed) && !TRIPPED.swap(true, Relaxed) {
        LIVE.fetch_sub(bytes, Relaxed);
        fatal(b"allocation past the memory ceiling");
    }
    PEAK.fetch_max(live, Relaxed);
}

/// What is running now, for the reports of [`fatal`].
struct Current {
    target: &'static str,
    exec: u64,
    input: Vec<u8>,
    /// The request being answered, if any.
    request: Vec<u8>,
}

static CURRENT: Mutex<Option<Current>> = Mutex::new(None);
static STARTED: AtomicU64 = AtomicU64::new(0);
static EXEC: AtomicU64 = AtomicU64::new(u64::MAX);
static REPORT: Mutex<Option<std::fs::File>> = Mutex::new(None);

/// Opens the file fatal findings are written to (before anything can go
/// wrong: writing then must not allocate) and starts the watchdog, which
/// aborts when one execution runs longer than `hang`.
pub fn arm(report: &std::path::Path, hang: Duration) {
    let file = std::fs::File::create(report).expect("creating the fuzz report file");
    *REPORT.lock().unwrap() = Some(file);
    let epoch = *EPOCH.get_or_init(Instant::now);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let started = Duration::from_millis(STARTED.load(Relaxed));
        if EXEC.load(Relaxed) != u64::MAX && epoch.elapsed().saturating_sub(started) > hang {
            fatal(b"hang: one execution ran past the time limit");
        }
    });
}

static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// Marks execution `exec` of `target` as started, with its input, under a
/// ceiling of `allowance` bytes above what is live now.
pub fn begin(target: &'static str, exec: u64, input: &[u8], allowance: usize) {
    {
        let mut current = CURRENT.lock().unwrap();
        let slot = current.get_or_insert_with(|| Current {
            target,
            exec,
            input: Vec::new(),
            request: Vec::new(),
        });
        slot.target = target;
        slot.exec = exec;
        slot.input.clear();
        slot.input.extend_from_slice(input);
        slot.request.clear();
    }
    let live = LIVE.load(Relaxed);
    PEAK.store(live, Relaxed);
    CEILING.store(live.saturating_add(allowance), Relaxed);
    if let Some(epoch) = EPOCH.get() {
        STARTED.store(epoch.elapsed().as_millis() as u64, Relaxed);
    }
    EXEC.store(exec, Relaxed);
}

/// Notes the request now being answered, for the reports of [`fatal`].
pub fn request(text: &[u8]) {
    if let Some(c) = CURRENT.lock().unwrap().as_mut() {
        c.request.clear();
        c.request.extend_from_slice(text);
    }
}

/// Ends the current execution; returns its peak memory above the start.
pub fn end(start_live: usize) -> usize {
    EXEC.store(u64::MAX, Relaxed);
    CEILING.store(usize::MAX, Relaxed);
    PEAK.load(Relaxed).saturating_sub(start_live)
}

/// Bytes live now.
pub fn live() -> usize {
    LIVE.load(Relaxed)
}

/// Writes `why`, the target, the execution number and the input to the
/// report file, then aborts. Nothing here allocates.
fn fatal(why: &[u8]) {
    if let (Ok(mut report), Ok(current)) = (REPORT.try_lock(), CURRENT.try_lock()) {
        if let (Some(file), Some(c)) = (report.as_mut(), current.as_ref()) {
            let mut digits = [0u8; 20];
            let _ = file.write_all(b"FATAL ");
            let _ = file.write_all(why);
            let _ = file.write_all(b"\ntarget ");
            let _ = file.write_all(c.target.as_bytes());
            let _ = file.write_all(b"\nexec ");
            let _ = file.write_all(decimal(c.exec, &mut digits));
            let _ = file.write_all(b"\nrequest ");
            let _ = file.write_all(&c.request);
            let _ = file.write_all(b"\ninput follows\n");
            let _ = file.write_all(&c.input);
            let _ = file.flush();
        }
    }
    let _ = std::io::stderr().write_all(b"fuzz: fatal finding, see the report file\n");
    std::process::abort();
}

fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

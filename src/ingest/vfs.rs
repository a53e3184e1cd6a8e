//! An in-memory index of an archive's (or directory's) names: files, directories and symlinks.
//!
//! Only names and link targets are indexed for every entry; bodies are kept elsewhere and only
//! for wanted entries. Symlinks are resolved here, never by the operating system, so nothing
//! can reach outside the archive root: relative and absolute targets are both taken inside the
//! root, `..` is clamped at the root, hops are capped, and loops are reported.

use std::collections::{BTreeMap, BTreeSet};

/// Maximum symlinks followed while resolving one path (Linux uses 40 as well).
pub const MAX_HOPS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File { size: u64 },
    Dir,
    Symlink { target: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// More than [`MAX_HOPS`] links, or a cycle.
    Loop { path: String },
    /// A component that is not in the index (a link to something not shipped).
    Missing { path: String },
    /// A component that is a file but is used as a directory.
    NotADirectory { path: String },
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::Loop { path } => {
                write!(f, "symlink loop or more than {MAX_HOPS} hops at {path}")
            }
            ResolveError::Missing { path } => write!(f, "link target {path} is not in the input"),
            ResolveError::NotADirectory { path } => write!(f, "{path} is not a directory"),
        }
    }
}

/// The result of resolving a path: the physical path (inside the root) and notes such as
/// "a `..` went above the root and was clamped".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub path: String,
    pub clamped: bool,
}

#[derive(Debug, Default)]
pub struct Vfs {
    nodes: BTreeMap<String, Node>,
    children: BTreeMap<String, BTreeSet<String>>,
}

/// Normalises an entry name: no leading `/` or `./`, no empty or `.` components, no trailing `/`.
/// `..` components are kept (they are resolved, clamped, by [`Vfs::resolve`]).
pub fn normalize(path: &str) -> String {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if name.is_empty() {
        dir.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

impl Vfs {
    pub fn new() -> Self {
        Vfs::default()
    }

    /// Records an entry. Parent directories are implied (archives may list children before
    /// their directory, or not list the directory at all). Entries with a `..` component
    /// are ignored: no well-formed archive has them, and they cannot be addressed inside the root.
    pub fn insert(&mut self, path: &str, node: Node) {
        let path = normalize(path);
        if path.is_empty() || path.split('/').any(|c| c == "..") {
            return;
        }
        let mut dir = parent(&path).to_string();
        let mut name = path.rsplit('/').next().unwrap_or("").to_string();
        self.nodes.insert(path.clone(), node);
        loop {
            self.children.entry(dir.clone()).or_default().insert(name);
            if dir.is_empty() {
                break;
            }
            self.nodes.entry(dir.clone()).or_insert(Node::Dir);
            name = dir.rsplit('/').next().unwrap_or("").to_string();
            dir = parent(&dir).to_string();
        }
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Names directly inside `dir` (`""` is the top), sorted.
    pub fn children(&self, dir: &str) -> impl Iterator<Item = &str> {
        self.children
            .get(dir)
            .into_iter()
            .flat_map(|s| s.iter().map(String::as_str))
    }

    pub fn is_dir(&self, path: &str) -> bool {
        path.is_empty() || matches!(self.nodes.get(path), Some(Node::Dir))
    }

    pub fn paths(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(p, n)| (p.as_str(), n))
    }

    /// Resolves `path` (relative to `root`, which is a directory path in the index, `""` for
    /// the top) following every symlink on the way, including the last component.
    /// The result is a physical path in the index (with the root prefix) naming a file or
    /// directory.
    pub fn resolve(&self, root: &str, path: &str) -> Result<Resolved, ResolveError> {
        let mut pending: Vec<String> = components(path);
        pending.reverse();
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0usize;
        let mut clamped = false;
        while let Some(comp) = pending.pop() {
            if comp == ".." {
                if current.pop().is_none() {
                    clamped = true;
                }
                continue;
            }
            let rel = join(&current.join("/"), &comp);
            let physical = join(root, &rel);
            match self.nodes.get(&physical) {
                None => return Err(ResolveError::Missing { path: physical }),
                Some(Node::Symlink { target }) => {
                    hops += 1;
                    if hops > MAX_HOPS {
                        return Err(ResolveError::Loop { path: physical });
                    }
                    // Absolute targets are host paths: they live under the archive root.
                    if target.starts_with('/') {
                        current.clear();
                    }
                    for c in components(target).into_iter().rev() {
                        pending.push(c);
                    }
                }
                Some(Node::File { .. }) => {
                    if !pending.is_empty() {
                        return Err(ResolveError::NotADirectory { path: physical });
                    }
                    current.push(comp);
                }
                Some(Node::Dir) => current.push(comp),
            }
        }
        Ok(Resolved {
            path: join(root, &current.join("/")),
            clamped,
        })
    }
}

fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

/// One file reached by a logical walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// Path relative to the root as the capture is known (`proc/net/dev`).
    pub logical: String,
    /// Physical path in the index (`sosreport-x/proc/3255/net/dev`).
    pub physical: String,
    /// True when a `..` in a link on the way went above the root and was clamped.
    pub clamped: bool,
}

/// A problem met while walking (a dangling link or a loop on a wanted path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    pub logical: String,
    pub error: ResolveError,
}

/// Walks the logical tree under `root`, descending through directory symlinks, but only into
/// paths that `wanted_prefix` accepts (so cyclic trees like `sys/` are never walked in full).
/// Files for which `wanted_file` is true are returned with their physical path.
pub fn walk_logical(
    vfs: &Vfs,
    root: &str,
    wanted_prefix: &dyn Fn(&str) -> bool,
    wanted_file: &dyn Fn(&str) -> bool,
) -> (Vec<Reached>, Vec<WalkProblem>) {
    let mut reached = Vec::new();
    let mut problems = Vec::new();
    // (logical dir, physical dir, clamped so far)
    let mut stack: Vec<(String, String, bool)> = vec![(String::new(), root.to_string(), false)];
    let mut visited_steps = 0usize;
    while let Some((logical_dir, physical_dir, clamped_dir)) = stack.pop() {
        for name in vfs.children(&physical_dir) {
            visited_steps += 1;
            // Hard stop against pathological inputs; real archives need far fewer steps.
            if visited_steps > 5_000_000 {
                return (reached, problems);
            }
            let logical = join(&logical_dir, name);
            let want_file = wanted_file(&logical);
            let want_dir = wanted_prefix(&logical);
            if !want_file && !want_dir {
                continue;
            }
            let physical = join(&physical_dir, name);
            let (target, clamped) = match vfs.get(&physical) {
                Some(Node::Symlink { .. }) => {
                    let rel = physical
                        .strip_prefix(root)
                        .map(|r| r.trim_start_matches('/'))
                        .unwrap_or(&physical);
                    match vfs.resolve(root, rel) {
                        Ok(r) => (r.path, r.clamped),
                        Err(error) => {
                            if want_file {
                                problems.push(WalkProblem { logical, error });
                            }
                            continue;
                        }
                    }
                }
                Some(_) => (physical, false),
                None => continue,
            };
            let clamped = clamped || clamped_dir;
            match vfs.get(&target) {
                Some(Node::File { .. }) if want_file => reached.push(Reached {
                    logical,
                    physical: target,
                    clamped,
                }),
                Some(Node::Dir) if want_dir => stack.push((logical, target, clamped)),
                _ if target == root && want_dir => stack.push((logical, target, clamped)),
                _ => {}
            }
        }
    }
    reached.sort_by(|a, b| a.logical.cmp(&b.logical));
    (reached, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vfs {
        let mut v = Vfs::new();
        v.insert(
            "r/proc/self",
            Node::Symlink {
                target: "3255".into(),
            },
        );
        v.insert(
            "r/proc/net",
            Node::Symlink {
                target: "self/net".into(),
            },
        );
        v.insert("r/proc/3255/net/dev", Node::File { size: 10 });
        v.insert(
            "r/uptime",
            Node::Symlink {
                target: "sos_commands/host/uptime".into(),
            },
        );
        v.insert("r/sos_commands/host/uptime", Node::File { size: 5 });
        v.insert(
            "r/sos_commands/x/y",
            Node::Symlink {
                target: "../../sos_strings/x/y.tailed".into(),
            },
        );
        v.insert("r/sos_strings/x/y.tailed", Node::File { size: 5 });
        v.insert(
            "r/loop_a",
            Node::Symlink {
                target: "loop_b".into(),
            },
        );
        v.insert(
            "r/loop_b",
            Node::Symlink {
                target: "loop_a".into(),
            },
        );
        v.insert(
            "r/escape",
            Node::Symlink {
                target: "../../../../sos_commands/host/uptime".into(),
            },
        );
        v.insert(
            "r/abs",
            Node::Symlink {
                target: "/sos_commands/host/uptime".into(),
            },
        );
        v
    }

    #[test]
    fn two_hop_directory_links_resolve() {
        let v = sample();
        let r = v.resolve("r", "proc/net/dev").unwrap();
        assert_eq!(r.path, "r/proc/3255/net/dev");
        assert!(!r.clamped);
    }

    #[test]
    fn root_and_tailed_links_resolve() {
        let v = sample();
        assert_eq!(
            v.resolve("r", "uptime").unwrap().path,
            "r/sos_commands/host/uptime"
        );
        assert_eq!(
            v.resolve("r", "sos_commands/x/y").unwrap().path,
            "r/sos_strings/x/y.tailed"
        );
    }

    #[test]
    fn dotdot_is_clamped_at_the_root_and_absolute_targets_stay_inside() {
        let v = sample();
        let r = v.resolve("r", "escape").unwrap();
        assert_eq!(r.path, "r/sos_commands/host/uptime");
        assert!(r.clamped);
        assert_eq!(
            v.resolve("r", "abs").unwrap().path,
            "r/sos_commands/host/uptime"
        );
    }

    #[test]
    fn loops_are_reported() {
        let v = sample();
        assert!(matches!(
            v.resolve("r", "loop_a"),
            Err(ResolveError::Loop { .. })
        ));
    }

    #[test]
    fn missing_targets_are_reported() {
        let mut v = sample();
        v.insert(
            "r/dangling",
            Node::Symlink {
                target: "nowhere/file".into(),
            },
        );
        assert!(matches!(
            v.resolve("r", "dangling"),
            Err(ResolveError::Missing { .. })
        ));
    }

    #[test]
    fn implied_parents_are_listed() {
        let v = sample();
        let top: Vec<_> = v.children("r/proc").collect();
        assert_eq!(top, vec!["3255", "net", "self"]);
        assert!(v.is_dir("r/proc/3255/net"));
    }

    #[test]
    fn walk_follows_directory_links_only_where_wanted() {
        let v = sample();
        let prefix = |p: &str| "proc/net/dev".starts_with(p) && !p.is_empty();
        let file = |p: &str| p == "proc/net/dev" || p == "uptime" || p == "loop_a";
        let (reached, problems) = walk_logical(&v, "r", &prefix, &file);
        let logical: Vec<_> = reached.iter().map(|r| r.logical.as_str()).collect();
        assert_eq!(logical, vec!["proc/net/dev", "uptime"]);
        assert_eq!(reached[0].physical, "r/proc/3255/net/dev");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].logical, "loop_a");
    }
}

// Migrations are embedded with include_str!; make sure a new file triggers a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

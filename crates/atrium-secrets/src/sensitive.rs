//! A value that must not escape by accident.

use std::fmt;

use zeroize::Zeroize;

/// A secret value. It has no `Display` and no `Serialize`; `Debug` prints `Sensitive(…)`; the memory is wiped on
/// drop. The only way to the value is [`Sensitive::expose`], which is easy to find in a review.
///
/// ```compile_fail
/// let secret = atrium_secrets::Sensitive::new(String::from("value"));
/// println!("{secret}"); // no Display
/// ```
///
/// ```compile_fail
/// fn serialize<T: serde::Serialize>(_: &T) {}
/// serialize(&atrium_secrets::Sensitive::new(String::from("value"))); // no Serialize
/// ```
#[derive(Clone)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Sensitive<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The value itself. Use it where it is needed (an environment variable, a header), nowhere else.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(…)")
    }
}

impl From<String> for Sensitive<String> {
    fn from(value: String) -> Self {
        Sensitive(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Sensitive::new("hunter2-very-secret".to_owned());
        let shown = format!("{secret:?} {:?} {:#?}", vec![secret.clone()], Some(&secret));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }
}

//! A spinner for long steps: the stage and the rows done.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::services::scoring::models::Progress;

/// A spinner that shows the stage and the rows done; cleared when dropped.
pub struct Bar(ProgressBar);

impl Bar {
    /// A new spinner on standard error.
    pub fn new() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg} {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar(bar)
    }
}

impl Default for Bar {
    fn default() -> Self {
        Bar::new()
    }
}

impl Progress for Bar {
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_owned());
        self.0.set_length(0);
        self.0.set_position(0);
    }
    fn rows(&self, done: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

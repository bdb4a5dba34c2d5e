//! A first-in, first-out queue made of two `Vec`s: pushed onto one, popped
//! from the other (reversed when it runs dry). Amortised O(1) at both ends,
//! with neither `VecDeque`'s ring-buffer code nor a panic path in the wasm
//! module.

use alloc::vec::Vec;

/// Oldest out first.
#[derive(Debug)]
pub(crate) struct Fifo<T> {
    /// Newest last.
    back: Vec<T>,
    /// Oldest last: popped from the end.
    front: Vec<T>,
}

impl<T> Fifo<T> {
    pub(crate) const fn new() -> Self {
        Fifo {
            back: Vec::new(),
            front: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, item: T) {
        self.back.push(item);
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.front.is_empty() {
            // Everything still in `back` came after everything popped so
            // far. Moved one by one rather than `reverse()`d: its slice
            // splitting keeps a bounds-check panic (and integer formatting).
            while let Some(item) = self.back.pop() {
                self.front.push(item);
            }
        }
        self.front.pop()
    }
}

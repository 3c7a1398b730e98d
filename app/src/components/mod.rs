//! Building blocks shared by the pages.

pub mod card;
pub mod chip;
pub mod header;
pub mod poster;
pub mod preview;
pub mod recent;
pub mod row;
pub mod search_bar;
pub mod state;
pub mod theme;

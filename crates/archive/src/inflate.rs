//! One call of zlib-rs's raw-deflate decoder and what the caller does after
//! it: the bookkeeping the zip reader's [`crate::zip::Inflater`] and the
//! gzip reader [`crate::gunzip::Gunzip`] share.

use zlib_rs::{Inflate, InflateFlush, Status};

/// What one call of the decoder did.
pub(crate) struct Step {
    /// Bytes of the input it took.
    pub consumed: usize,
    /// Bytes of the output it filled, from the start.
    pub written: usize,
    /// What the caller does next, or why the stream is bad (output up to
    /// the fault is in `written` all the same).
    pub next: Result<Next, &'static str>,
}

pub(crate) enum Next {
    /// Call again with the rest of the input: a full output may leave more
    /// inside the decoder even when all input is taken.
    More,
    /// All input is taken and all output given: wait for more input.
    Wait,
    /// The deflate stream has ended; input after it is not the stream's.
    Ended,
}

/// Inflates what it can of `input` into `out`.
pub(crate) fn step(state: &mut Inflate, input: &[u8], out: &mut [u8]) -> Step {
    let (was_in, was_out) = (state.total_in(), state.total_out());
    let status = state.decompress(input, out, InflateFlush::NoFlush);
    let consumed = usize::try_from(state.total_in() - was_in)
        .unwrap_or(usize::MAX)
        .min(input.len());
    let written = usize::try_from(state.total_out() - was_out)
        .unwrap_or(0)
        .min(out.len());
    let stalled = consumed == 0 && written == 0;
    let next = match status {
        Ok(Status::StreamEnd) => Ok(Next::Ended),
        Err(e) => Err(e.as_str()),
        // Never spin on input the decoder will not take.
        Ok(_) if stalled && consumed < input.len() => Err("no progress"),
        Ok(_) if stalled || consumed == input.len() && written < out.len() => Ok(Next::Wait),
        Ok(_) => Ok(Next::More),
    };
    Step {
        consumed,
        written,
        next,
    }
}

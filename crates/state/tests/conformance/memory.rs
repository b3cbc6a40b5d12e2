use state::MemoryState;

use crate::story::state_story;

#[tokio::test(start_paused = true)]
async fn memory_state_follows_the_story() {
    state_story(&MemoryState::new()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_state_follows_the_story_in_real_time() {
    state_story(&MemoryState::new()).await;
}

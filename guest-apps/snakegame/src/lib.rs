//! The rules of Snake, `no_std` and without allocation, tested on the host (`cargo test`
//! here): a fixed board of [`COLS`] x [`ROWS`] cells, a snake that moves one cell per
//! [`Game::step`], turns queued from the arrow keys (at most two ahead, a reversal ignored),
//! food placed by a seeded xorshift generator (the first lies straight ahead of the snake), so
//! a game is the same on every machine for the same keys at the same steps; eating grows the
//! snake by one and scores [`POINTS`]; hitting a wall or itself ends the game, and so does a
//! full board. [`parse_high`] and [`high_text`] read and write the high-score file's text.
//! Timing is the app's business: it calls `step` on its clock.
#![no_std]

/// The board, in cells.
pub const COLS: u8 = 32;
pub const ROWS: u8 = 24;
/// Score for each food eaten.
pub const POINTS: u32 = 10;
/// Length of a new snake.
pub const START_LEN: usize = 3;
const CELLS: usize = COLS as usize * ROWS as usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Up,
    Down,
    Left,
    Right,
}

impl Dir {
    fn opposite(self) -> Dir {
        match self {
            Dir::Up => Dir::Down,
            Dir::Down => Dir::Up,
            Dir::Left => Dir::Right,
            Dir::Right => Dir::Left,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting for the first turn (an arrow key starts the game).
    Ready,
    Playing,
    /// Crashed (or filled the board): only [`Game::restart`] goes on.
    Over,
}

/// What a step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing (not playing).
    Idle,
    Moved,
    Ate,
    Died,
}

pub struct Game {
    /// A ring of the snake's cells: `body[(tail + i) % CELLS]` for i in 0..len, the head last.
    body: [(u8, u8); CELLS],
    tail: usize,
    len: usize,
    dir: Dir,
    /// Turns not yet taken, oldest first.
    queued: [Option<Dir>; 2],
    food: (u8, u8),
    rng: u32,
    pub score: u32,
    pub state: State,
}

impl Game {
    /// A new game; `seed` drives where food appears (0 is taken as 1).
    pub fn new(seed: u32) -> Game {
        let mut g = Game { body: [(0, 0); CELLS], tail: 0, len: 0, dir: Dir::Right, queued: [None; 2], food: (0, 0), rng: seed.max(1), score: 0, state: State::Ready };
        g.restart();
        g
    }

    /// A fresh snake at the left of the middle row, heading right, the first food ahead of it;
    /// the generator goes on where it was, so the next game gets other food.
    pub fn restart(&mut self) {
        let y = ROWS / 2;
        for i in 0..START_LEN {
            self.body[i] = (COLS / 4 - START_LEN as u8 + 1 + i as u8, y);
        }
        (self.tail, self.len, self.dir, self.queued) = (0, START_LEN, Dir::Right, [None; 2]);
        self.food = (COLS / 2, y);
        (self.score, self.state) = (0, State::Ready);
    }

    /// The snake's cells, head first.
    pub fn cells(&self) -> impl Iterator<Item = (u8, u8)> + '_ {
        (0..self.len).rev().map(|i| self.body[(self.tail + i) % CELLS])
    }

    pub fn head(&self) -> (u8, u8) {
        self.body[(self.tail + self.len - 1) % CELLS]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn food(&self) -> (u8, u8) {
        self.food
    }

    /// An arrow key: queued for the next steps (a turn back into the snake, or one that
    /// changes nothing, is dropped); the first one starts a ready game.
    pub fn turn(&mut self, d: Dir) {
        match self.state {
            State::Over => return,
            State::Ready => self.state = State::Playing,
            State::Playing => {}
        }
        let last = self.queued.iter().rev().flatten().next().copied().unwrap_or(self.dir);
        if d == last || d == last.opposite() {
            return;
        }
        if let Some(slot) = self.queued.iter_mut().find(|q| q.is_none()) {
            *slot = Some(d);
        }
    }

    /// One move of the snake.
    pub fn step(&mut self) -> Step {
        if self.state != State::Playing {
            return Step::Idle;
        }
        if let Some(d) = self.queued[0] {
            self.dir = d;
            self.queued = [self.queued[1], None];
        }
        let (x, y) = self.head();
        let next = match self.dir {
            Dir::Up => y.checked_sub(1).map(|y| (x, y)),
            Dir::Down => (y + 1 < ROWS).then_some((x, y + 1)),
            Dir::Left => x.checked_sub(1).map(|x| (x, y)),
            Dir::Right => (x + 1 < COLS).then_some((x + 1, y)),
        };
        let ate = next == Some(self.food);
        if !ate {
            // The tail moves on first: the head may take the cell it leaves.
            self.tail = (self.tail + 1) % CELLS;
            self.len -= 1;
        }
        let Some(next) = next.filter(|c| !self.cells().any(|b| b == *c)) else {
            if !ate {
                // Put the tail back: the snake stays as it was when it crashed.
                self.tail = (self.tail + CELLS - 1) % CELLS;
                self.len += 1;
            }
            self.state = State::Over;
            return Step::Died;
        };
        self.body[(self.tail + self.len) % CELLS] = next;
        self.len += 1;
        if !ate {
            return Step::Moved;
        }
        self.score += POINTS;
        if !self.place_food() {
            self.state = State::Over; // the board is full: nothing left to eat
        }
        Step::Ate
    }

    /// Food on a free cell chosen by the generator; false if there is none.
    fn place_food(&mut self) -> bool {
        let free = CELLS - self.len;
        if free == 0 {
            return false;
        }
        let mut k = self.next_random() as usize % free;
        for i in 0..CELLS {
            let cell = ((i % COLS as usize) as u8, (i / COLS as usize) as u8);
            if !self.cells().any(|b| b == cell) {
                if k == 0 {
                    self.food = cell;
                    return true;
                }
                k -= 1;
            }
        }
        false
    }

    /// xorshift32.
    fn next_random(&mut self) -> u32 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }
}

/// The high score in a file's text: its leading decimal digits (0 for anything else, and
/// u32::MAX at most).
pub fn parse_high(text: &[u8]) -> u32 {
    let digits = text.iter().skip_while(|b| b.is_ascii_whitespace()).take_while(|b| b.is_ascii_digit());
    digits.fold(0u32, |n, d| n.saturating_mul(10).saturating_add((d - b'0') as u32))
}

/// The file's text for high score `n`: its digits and a newline, in `buf`.
pub fn high_text(n: u32, buf: &mut [u8; 11]) -> &[u8] {
    let mut i = buf.len() - 1;
    buf[i] = b'\n';
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            return &buf[i..];
        }
    }
}

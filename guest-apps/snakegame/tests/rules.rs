//! Snake's rules: moves, turns, food, growth, score, death by wall and by the snake itself,
//! restart, determinism from the seed, and the high-score text.

use snakegame::*;

fn run_until_over(g: &mut Game) -> usize {
    (1..).find(|_| g.step() == Step::Died).unwrap()
}

#[test]
fn a_new_game_waits_then_runs_right_eats_the_food_ahead_and_hits_the_wall() {
    let mut g = Game::new(7);
    assert_eq!((g.state, g.len(), g.head()), (State::Ready, START_LEN, (COLS / 4, ROWS / 2)));
    assert_eq!(g.step(), Step::Idle, "nothing moves before the first key");
    g.turn(Dir::Right); // starts, and changes nothing else
    assert_eq!(g.state, State::Playing);
    let ahead = (COLS / 2 - COLS / 4) as usize;
    for _ in 1..ahead {
        assert_eq!(g.step(), Step::Moved);
    }
    assert_eq!(g.step(), Step::Ate);
    assert_eq!((g.score, g.len(), g.head()), (POINTS, START_LEN + 1, (COLS / 2, ROWS / 2)));
    assert_ne!(g.food(), g.head());
    assert!(!g.cells().any(|c| c == g.food()), "food never lands on the snake");
    let steps = run_until_over(&mut g);
    assert!(steps <= (COLS / 2) as usize, "the wall after {steps} steps");
    assert_eq!(g.state, State::Over);
    assert_eq!(g.head().0, COLS - 1, "the head stays on the last cell");
    assert_eq!(g.len(), START_LEN + 1, "the crash keeps the whole snake");
    g.turn(Dir::Up);
    assert_eq!(g.step(), Step::Idle, "over until restarted");
    g.restart();
    assert_eq!((g.state, g.score, g.len()), (State::Ready, 0, START_LEN));
}

#[test]
fn turns_queue_two_ahead_and_ignore_reversal() {
    let mut g = Game::new(1);
    g.turn(Dir::Left); // a reversal: starts the game but does not turn
    g.step();
    assert_eq!(g.head(), (COLS / 4 + 1, ROWS / 2));
    g.turn(Dir::Up);
    g.turn(Dir::Left); // taken after Up
    g.turn(Dir::Down); // a third: dropped
    g.step();
    assert_eq!(g.head(), (COLS / 4 + 1, ROWS / 2 - 1));
    g.step();
    assert_eq!(g.head(), (COLS / 4, ROWS / 2 - 1));
    g.step();
    assert_eq!(g.head(), (COLS / 4 - 1, ROWS / 2 - 1), "still left: Down was dropped");
}

#[test]
fn running_into_itself_ends_the_game_but_chasing_the_tail_does_not() {
    let mut g = Game::new(1);
    g.turn(Dir::Right);
    for _ in 0..(COLS / 2 - COLS / 4) {
        g.step(); // eats: length 4
    }
    assert_eq!(g.len(), START_LEN + 1);
    // A square of four: down, left, up: the head enters the cell the tail just left.
    for d in [Dir::Down, Dir::Left, Dir::Up] {
        g.turn(d);
        assert!(matches!(g.step(), Step::Moved | Step::Ate), "{d:?}");
    }
    assert_eq!(g.state, State::Playing);
    // A snake of five dies in the same square: its fifth cell is still there.
    let mut g = Game::new(1);
    g.turn(Dir::Right);
    while g.len() < 5 {
        // Towards the food, y first (the snake heads right: never a reversal), then x.
        let ((hx, hy), (fx, fy)) = (g.head(), g.food());
        let d = if fy > hy { Dir::Down } else if fy < hy { Dir::Up } else if fx > hx { Dir::Right } else { Dir::Left };
        g.turn(d);
        assert_ne!(g.step(), Step::Died, "on the way to the food at {:?}", g.food());
    }
    let mut steps = Vec::new();
    for d in [Dir::Down, Dir::Left, Dir::Up, Dir::Right] {
        let before = g.head();
        g.turn(d);
        g.turn(d);
        steps.push(g.step());
        if g.head() == before {
            break;
        }
    }
    assert_eq!(steps.last(), Some(&Step::Died), "{steps:?}");
    assert_eq!(g.len(), 5);
    assert_eq!(g.state, State::Over);
}

#[test]
fn the_same_seed_and_keys_make_the_same_game() {
    let play = |seed| {
        let mut g = Game::new(seed);
        let mut foods = Vec::new();
        for round in 0..3 {
            g.restart();
            g.turn(Dir::Right);
            for i in 0..200 {
                if i % 7 == 3 {
                    g.turn([Dir::Up, Dir::Left, Dir::Down, Dir::Right][(i / 7 + round) % 4]);
                }
                if g.step() == Step::Died {
                    break;
                }
                foods.push(g.food());
            }
        }
        (foods, g.score)
    };
    assert_eq!(play(0x5eed), play(0x5eed));
    assert_ne!(play(0x5eed).0, play(0xbeef).0);
}

#[test]
fn high_score_text_round_trips_and_garbage_reads_as_zero() {
    let mut buf = [0u8; 11];
    assert_eq!(high_text(0, &mut buf), b"0\n");
    assert_eq!(high_text(120, &mut buf), b"120\n");
    assert_eq!(high_text(u32::MAX, &mut buf), b"4294967295\n");
    for n in [0, 7, 120, 4294967295] {
        assert_eq!(parse_high(high_text(n, &mut [0; 11])), n);
    }
    assert_eq!(parse_high(b""), 0);
    assert_eq!(parse_high(b"\x00\xffgarbage"), 0);
    assert_eq!(parse_high(b" 42\nrest"), 42);
    assert_eq!(parse_high(b"99999999999999999999"), u32::MAX);
}

#ifndef MAILBAG_CNCURSES_SHIM_H
#define MAILBAG_CNCURSES_SHIM_H
/* Wide-character API (get_wch, add_wch, cchar_t) is only declared with this set. */
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Macros and globals Swift cannot import (or cannot read under strict concurrency). */
static inline WINDOW *mb_stdscr(void) { return stdscr; }
static inline int mb_colors(void) { return COLORS; }
static inline int mb_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t mb_a_bold(void) { return A_BOLD; }
static inline attr_t mb_a_dim(void) { return A_DIM; }
static inline attr_t mb_a_underline(void) { return A_UNDERLINE; }
static inline attr_t mb_a_reverse(void) { return A_REVERSE; }
static inline attr_t mb_a_standout(void) { return A_STANDOUT; }
static inline attr_t mb_a_italic(void) { return A_ITALIC; }
/* Clicks and the wheel only: motion reporting would flood the input queue. */
static inline mmask_t mb_click_and_wheel_events(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED; }
static inline mmask_t mb_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t mb_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t mb_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t mb_button5_pressed(void) { return BUTTON5_PRESSED; }
/* newterm rather than initscr: initscr exits the process on a bad TERM, newterm returns NULL. */
static inline SCREEN *mb_newterm(void) { return newterm(NULL, stdout, stdin); }

#endif

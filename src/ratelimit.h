#ifndef SB_RATELIMIT_H
#define SB_RATELIMIT_H
#endif

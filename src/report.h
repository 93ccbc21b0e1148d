#ifndef SB_REPORT_H
#define SB_REPORT_H
#endif

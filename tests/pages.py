"""Small hand-written clinic pages shared by the extraction and command-line tests."""

from __future__ import annotations

URL = "https://clinic.example/blog/post/"
BODY = (
    "<p>Low back pain is one of the most common reasons people visit a physiotherapist, and most "
    "episodes improve within a few weeks with the right mix of activity, reassurance and exercise.</p>"
    "<p>Staying active is better than bed rest for most people with acute low back pain [1]. Exercise "
    "therapy reduces pain and improves function in chronic low back pain (2). Education helps too.</p>"
    "<p>Our physiotherapists assess how you move, explain what the pain means and build a graded plan "
    "that fits your work, your sport and your goals, so you can get back to what matters to you.</p>"
)
REF1 = (
    "Hartvigsen J, Hancock MJ, Kongsted A, et al. What low back pain is and why we need to pay attention. "
    "Lancet. 2018;391(10137):2356-2367. doi:10.1016/S0140-6736(18)30480-X"
)
REF2 = (
    "Hayden JA, Ellis J, Ogilvie R, Malmivaara A, van Tulder MW. Exercise therapy for chronic low back pain. "
    "Cochrane Database Syst Rev. 2021;9(9):CD009790. doi:10.1002/14651858.CD009790.pub2"
)
CHROME = (
    '<div class="chat-widget"><span>Text Us</span></div><p>Skip to content</p>'
    '<div id="cookie-notice">We use cookies to improve your experience on our website. <a>Accept</a></div>'
    "<footer><p>© 2024 Example Physio. All rights reserved.</p></footer>"
)


def page(
    body: str, head: str = '<meta property="og:type" content="article">', title: str = "Back Pain Basics"
) -> str:
    return (
        f"<!doctype html><html lang='en-GB'><head><title>{title} | Example Physio</title>"
        f'<meta property="og:site_name" content="Example Physio">{head}</head>'
        f"<body><main><article><h1>{title}</h1>{body}</article></main>{CHROME}</body></html>"
    )

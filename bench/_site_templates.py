"""HTML and XML templates of the synthetic clinic blog (``str.format`` placeholders).

Modelled on a WordPress theme with Yoast SEO, Jetpack sharing/related posts, a Mailchimp
sidebar form, a cookie banner and an SMS chat widget, as clinic sites commonly have.
"""

HEAD = """<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Harbour Physio &amp; Chiro</title>
<link rel="canonical" href="{base}{path}" />
<meta property="og:type" content="{og_type}" />
<meta property="og:site_name" content="Harbour Physio &amp; Chiro" />
<link rel="alternate" type="application/rss+xml" title="Harbour Physio &raquo; Feed" href="{base}/feed/" />
<script type="application/ld+json" class="yoast-schema-graph">{json_ld}</script>
"""

HEADER = """<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<div class="call-now-bar"><a href="tel:+15035550188">Call Now: (503) 555-0188</a></div>
<header class="site-header" id="masthead">
<div class="site-branding"><p class="site-title">
<a href="{base}/" rel="home">Harbour Physio &amp; Chiro</a></p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{menu}</ul></nav>
<a class="header-book-button" href="https://harbour.cliniko.example/bookings">Book Now</a>
</header>
"""

SIDEBAR = """<div class="widget-area sidebar" id="secondary">
<aside class="widget widget_search"><form role="search" method="get" action="{base}/">
<input type="search" name="s" placeholder="Search &hellip;"/></form></aside>
<aside class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>
<ul>{recent}</ul></aside>
<aside class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{categories}</ul></aside>
<aside class="widget widget_tag_cloud"><h2 class="widget-title">Tags</h2>
<div class="tagcloud">{tags}</div></aside>
<aside class="widget widget_mc4wp"><h2 class="widget-title">Newsletter</h2><form class="mc4wp-form">
<p>One useful email a month: exercises, research news and class dates.</p>
<input type="email" name="EMAIL"/><input type="submit" value="Sign up"/></form></aside>
</div>
"""

FOOTER = """<footer class="site-footer">
<section class="footer-widget"><h2 class="widget-title">Harbour Physio</h2>
<address>4 Quay Street, Harbourtown</address><p><a href="tel:+15035550188">(503) 555-0188</a></p></section>
<section class="footer-widget"><ul><li><a href="{base}/privacy-policy/">Privacy Policy</a></li></ul></section>
<p class="copyright">Copyright &copy; 2026 Harbour Physio &amp; Chiro. All rights reserved.</p>
</footer>
<div id="sms-chat-widget"><button class="sms-chat-launcher">Chat with us</button></div>
<div id="cookie-law-info-bar" role="dialog"><span>We use cookies to improve your experience on our website.
<a role="button" id="cookie_action_close_header">Accept</a></span></div>
"""

POST_JSON_LD = (
    '{{"@context":"https://schema.org","@graph":[{{"@type":"BlogPosting","@id":"{base}{path}#article",'
    '"headline":{headline},"datePublished":"{date}T09:00:00+00:00","author":{{"@type":"Person",'
    '"name":{author}}},"articleSection":{sections},"keywords":{keywords},"inLanguage":"en-US"}}]}}'
)
PAGE_JSON_LD = (
    '{{"@context":"https://schema.org","@graph":[{{"@type":"{kind}","@id":"{base}{path}","name":{name}}}]}}'
)

POST = """<body class="post-template-default single single-post">
<div class="hfeed site" id="page">
<div id="content" class="site-content"><div id="primary" class="content-area">
<main id="main" class="site-main">
<article class="post type-post status-publish hentry">
<header class="entry-header"><h1 class="entry-title">{title}</h1>
<div class="entry-meta">By <a href="{base}/author/{author_slug}/" rel="author">{author}</a> /
<time class="entry-date published" datetime="{date}T09:00:00+00:00">{date_text}</time> / {categories}</div>
</header>
<div class="entry-content">
{body}
<h3 class="wp-block-heading">References</h3>
<ol>{references}</ol>
<div class="sharedaddy"><h3 class="sd-title">Share this:</h3>
<ul><li><a href="?share=facebook">Facebook</a></li><li><a href="?share=x">X</a></li></ul></div>
<div id="jp-relatedposts"><h3>Related Posts</h3><ul>{related}</ul></div>
</div>
<footer class="entry-footer">Tags: {tags}</footer>
</article>
<nav class="post-navigation">{neighbours}</nav>
<div id="comments"><h3>Leave a Reply</h3><form action="{base}/wp-comments-post.php" method="post">
<textarea name="comment"></textarea><input type="submit" value="Post Comment"/></form></div>
</main></div>
"""

LISTING = """<body class="blog"><div id="page"><main id="main"><h1>{title}</h1>
{entries}
<nav class="pagination">{next}</nav></main>
"""
LISTING_ENTRY = """<article class="post">
<h2 class="entry-title"><a href="{base}/blog/{slug}/">{title}</a></h2>
<time datetime="{date}">{date_text}</time><p>{title} explained by {author}.</p></article>
"""
NEXT_LINK = '<a class="next page-numbers" href="{base}{path}" rel="next">Older posts</a>'

STATIC = """<body><main id="main"><h1>{title}</h1><p>Harbour Physio &amp; Chiro: {title}.</p>{extra}</main>
"""

REFERENCE = "{authors}. {title}. {journal}. {year};{volume}({issue}):{first}-{last}. doi:{doi}. PMID: {pmid}."

XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
URLSET = XML_DECL + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
SITEMAP_INDEX = (
    XML_DECL + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
)
ROBOTS = "User-agent: *\nDisallow: /wp-admin/\nSitemap: {base}/sitemap_index.xml\n"
RSS = (
    XML_DECL
    + '<rss version="2.0"><channel><title>Harbour Physio</title><link>{base}/</link>{items}</channel></rss>'
)
RSS_ITEM = (
    "<item><title>{title}</title><link>{base}/blog/{slug}/</link><pubDate>{date} 09:00:00 +0000</pubDate>"
)
RSS_ITEM += "</item>"
